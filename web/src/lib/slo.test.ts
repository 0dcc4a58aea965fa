import { describe, expect, it } from 'vitest';
import type { Job, Slo, SloHistory } from '../api/client';
import { faultOf, formatBurn, formatCompliance, groupFailures, historySeries, oldestWait, sloState, stepLabel } from './slo';

function slo(rates: Partial<Slo['burn_rates']>, total = 1000): Slo {
  return {
    name: 'jobs-succeed',
    description: '',
    objective: 99,
    window_days: 28,
    indicator: { good: 'g', total: 't' },
    good: total,
    total,
    compliance: total ? 99.5 : null,
    error_budget_left: 0.5,
    burn_rates: { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null, ...rates },
  };
}

describe('SLO state as the alert rules see it', () => {
  it('pages when 1h and 5m are both above 14.4x, or 6h and 30m above 6x', () => {
    expect(sloState(slo({ '1h': 15, '5m': 20 })).state).toBe('page');
    expect(sloState(slo({ '1h': 15, '5m': 20 })).why).toBe('Burning fast: 1h and 5m above 14.4x the budget.');
    expect(sloState(slo({ '6h': 7, '30m': 6.5 })).state).toBe('page');
    expect(sloState(slo({ '1h': 15, '5m': 3 })).state).toBe('ok'); // the short window has recovered
    expect(sloState(slo({ '1h': 14.4, '5m': 14.4 })).state).toBe('ok'); // strictly above
  });
  it('tickets on 1d and 2h above 3x, or 3d and 6h above 1x', () => {
    expect(sloState(slo({ '1d': 3.5, '2h': 4 })).state).toBe('ticket');
    expect(sloState(slo({ '3d': 1.2, '6h': 1.1 })).why).toBe('Burning slowly: 3d and 6h above 1x the budget.');
    expect(sloState(slo({ '3d': 1.2, '6h': null })).state).toBe('ok'); // a window without events is not above anything
  });
  it('says when there is nothing to judge', () => {
    expect(sloState(slo({}, 0))).toEqual({ state: 'no data', why: 'No events in the last 28 days.' });
  });
});

describe('numbers in words', () => {
  it('formats burn rates and compliance', () => {
    expect(formatBurn(null)).toBe('–');
    expect(formatBurn(14.4)).toBe('14.4x');
    expect(formatBurn(0.1234)).toBe('0.12x');
    expect(formatCompliance(99.95)).toBe('99.950%');
    expect(formatCompliance(97.5)).toBe('97.50%');
    expect(formatCompliance(null)).toBe('–');
  });
  it('says how long the oldest queued job has waited', () => {
    const job = (id: string, created_at: string) => ({ id, created_at }) as Job;
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(oldestWait([], now)).toBeNull();
    expect(oldestWait([job('a', '2026-11-30T11:59:30Z')], now)).toBe('30 s');
    expect(oldestWait([job('a', '2026-11-30T11:56:00Z'), job('b', '2026-11-30T11:59:00Z')], now)).toBe('4 min');
    expect(oldestWait([job('a', '2026-11-30T09:00:00Z')], now)).toBe('3.0 h');
  });
});

describe('failures grouped by cause', () => {
  const failed = (id: string, code: string, at: string, message = code): Job =>
    ({ id, status: 'failed', errors: [{ code, message }], finished_at: at, updated_at: at }) as unknown as Job;
  it('groups by the first error code, most frequent first, with the newest examples', () => {
    const groups = groupFailures(
      [
        failed('j1', 'unknown_product', '2026-11-30T10:00:00Z'),
        failed('j2', 'transient_failure', '2026-11-30T11:00:00Z'),
        failed('j3', 'unknown_product', '2026-11-30T12:00:00Z', 'newest words'),
        failed('j4', 'unknown_product', '2026-11-30T09:00:00Z'),
        { id: 'j5', status: 'succeeded', errors: [], updated_at: '2026-11-30T12:30:00Z' } as unknown as Job,
      ],
      'code',
      2,
    );
    expect(groups.map((g) => [g.key, g.count, g.docgen])).toEqual([
      ['unknown_product', 3, 0],
      ['transient_failure', 1, 1],
    ]);
    expect(groups[0]).toMatchObject({ latest: '2026-11-30T12:00:00Z', message: 'newest words', examples: ['j3', 'j1'] });
  });
  it("tells docgen's failures from the caller's input", () => {
    expect(['transient_failure', 'unavailable', 'lease_expired', 'unknown_product', 'invalid_variables'].map(faultOf)).toEqual([
      'docgen',
      'docgen',
      'docgen',
      'input',
      'input',
    ]);
  });
  it('breaks ties by the most recent, and names jobs without errors', () => {
    const groups = groupFailures([
      failed('a', 'x', '2026-11-30T10:00:00Z'),
      failed('b', 'y', '2026-11-30T11:00:00Z'),
      { id: 'c', status: 'failed', errors: [], updated_at: '2026-11-30T08:00:00Z' } as unknown as Job,
    ]);
    expect(groups.map((g) => g.key)).toEqual(['y', 'x', 'unknown']);
  });
  it('groups by product and jurisdiction, counting docgen\'s failures apart from the input\'s', () => {
    const at = (job: Job, product?: string, jurisdiction?: string) => ({ ...job, product, jurisdiction }) as Job;
    const groups = groupFailures(
      [
        at(failed('a', 'unknown_coverage', '2026-11-30T10:00:00Z'), 'cyber', 'NY'),
        at(failed('b', 'transient_failure', '2026-11-30T11:00:00Z', 'disk full'), 'cyber', 'NY'),
        at(failed('c', 'unknown_product', '2026-11-30T12:00:00Z'), 'cyber', 'CA'),
        at(failed('d', 'missing_product', '2026-11-30T09:00:00Z')),
      ],
      'market',
    );
    expect(groups.map((g) => [g.key, g.count, g.docgen])).toEqual([
      ['cyber / NY', 2, 1],
      ['cyber / CA', 1, 0],
      ['(no product) / (no jurisdiction)', 1, 0],
    ]);
    expect(groups[0]).toMatchObject({ code: 'transient_failure', message: 'disk full', examples: ['b', 'a'] });
  });
});

describe('SLO history', () => {
  const history: SloHistory = {
    span: '24h',
    step_minutes: 15,
    points: [
      { at: '2026-11-30T10:00:00.000Z', good: 10, total: 12 },
      { at: '2026-11-30T10:15:00.000Z', good: 0, total: 0 },
    ],
  };
  it('splits each step into good and bad events', () => {
    expect(historySeries(history)).toEqual([
      { at: '2026-11-30T10:00:00.000Z', good: 10, bad: 2 },
      { at: '2026-11-30T10:15:00.000Z', good: 0, bad: 0 },
    ]);
  });
  it('labels steps by time within a day, by day and time beyond', () => {
    expect(stepLabel('2026-11-30T10:15:00.000Z', '24h')).toBe('10:15');
    expect(stepLabel('2026-11-30T06:00:00.000Z', '7d')).toBe('Nov 30 06:00');
  });
});
