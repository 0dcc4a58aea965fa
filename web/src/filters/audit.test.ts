import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/client';
import { auditFilters, auditQuery } from './audit';
import { applyFilters, prepare, type FilterDef } from './engine';
import { serverQuery } from './serverQuery';
import { parseFilterState, writeFilterState } from './urlState';

const entry = (seq: number, action: string, target: string, at: string): AuditEntry => ({
  seq, at, actor: 'e2e-admin', role: 'admin', action, target, request_id: `req_${seq}`, details: {}, prev_hash: '', hash: `sha256:${seq}`,
});

describe('audit log filters → GET /v1/audit query', () => {
  it('sends nothing but the page size without filters', () => {
    expect(auditQuery({})).toEqual({ limit: 100 });
  });

  it('sends actor and target trimmed, as the server matches them exactly', () => {
    expect(auditQuery({ actor: '  e2e-admin ', target: 'document:CY-DEC' })).toEqual({ limit: 100, actor: 'e2e-admin', target: 'document:CY-DEC' });
    expect(auditQuery({ actor: '   ' })).toEqual({ limit: 100 });
  });

  it('sends one action; several are filtered among the loaded entries', () => {
    expect(auditQuery({ action: ['draft.delete'] })).toEqual({ limit: 100, action: 'draft.delete' });
    expect(auditQuery({ action: ['draft.delete', 'draft.save'] })).toEqual({ limit: 100 });
    const rows = [entry(3, 'draft.delete', 'document:X', '2026-01-02T00:00:00Z'), entry(2, 'catalog.publish', 'catalog_version:2', '2026-01-01T00:00:00Z'), entry(1, 'draft.save', 'document:X', '2026-01-01T00:00:00Z')];
    const result = applyFilters(prepare(auditFilters, rows), { action: ['draft.delete', 'draft.save'] });
    expect(result.rows.map((e) => e.seq)).toEqual([3, 1]);
  });

  it('sends the time range as since (inclusive) and until (exclusive) in ms', () => {
    const state = parseFilterState(auditFilters, new URLSearchParams('time_from=2026-11-30T09:00&time_to=2026-12-01T00:00'));
    expect(auditQuery(state, 50)).toEqual({
      limit: 50,
      since: new Date('2026-11-30T09:00').getTime(),
      until: new Date('2026-12-01T00:00').getTime(),
    });
    expect(auditQuery({ time: { to: 'not a time' } })).toEqual({ limit: 100 });
  });

  it('keeps every filter in the URL beside the selected entry', () => {
    const params = new URLSearchParams('entry=7');
    const written = writeFilterState(auditFilters, { actor: 'alice', action: ['job.cancel'], target: 'job:job_1', time: { from: '2026-11-30T00:00' } }, params);
    expect(written.toString()).toBe('entry=7&actor=alice&action=job.cancel&target=job%3Ajob_1&time_from=2026-11-30T00%3A00');
    expect(parseFilterState(auditFilters, written)).toEqual({ actor: 'alice', action: ['job.cancel'], target: 'job:job_1', time: { from: '2026-11-30T00:00' } });
  });

  it('offers every action, and keeps the filters usable when the server finds no entry', () => {
    const p = prepare(auditFilters, []);
    expect(p.available).toEqual([true, true, true, true]);
    expect(p.options[1]).toContain('token.revoke');
    expect(applyFilters(p, { actor: 'nobody' }).active).toEqual(['actor']);
  });
});

describe('server-side filters of any page', () => {
  type Row = { on: boolean; name: string };
  const defs: FilterDef<Row>[] = [
    { key: 'on', label: 'On', kind: 'boolean', param: 'enabled', get: (r) => r.on },
    { key: 'name', label: 'Name', kind: 'text', get: (r) => r.name },
  ];

  it('sends only the filters with a param', () => {
    expect(serverQuery(defs, { on: false, name: 'x' })).toEqual({ enabled: 'false' });
    expect(serverQuery(defs, { on: true })).toEqual({ enabled: 'true' });
    expect(serverQuery(defs, {})).toEqual({});
  });

  it('leaves a client-side filter disabled when no row has its field, but not a server-side one', () => {
    expect(prepare(defs, []).available).toEqual([true, false]);
  });
});
