import { describe, expect, it } from 'vitest';
import { documentFilters } from './documents';
import { jobFilters, jobsQuery } from './jobs';
import { parseFilterState, writeFilterState } from './urlState';

describe('filter state in the URL', () => {
  it('round-trips every kind and keeps other parameters', () => {
    const params = new URLSearchParams('job=job_1&kind=form&kind=notice&q=cyber&deletable=false&x=1');
    const state = parseFilterState(documentFilters, params);
    expect(state).toEqual({ kind: ['form', 'notice'], q: 'cyber', deletable: false });
    const written = writeFilterState(documentFilters, { ...state, q: 'breach', kind: ['form'] }, params);
    expect(written.get('job')).toBe('job_1');
    expect(written.get('x')).toBe('1');
    expect(written.getAll('kind')).toEqual(['form']);
    expect(written.get('q')).toBe('breach');
    expect(written.get('deletable')).toBe('false');
  });

  it('drops inactive filters from the URL', () => {
    const written = writeFilterState(documentFilters, { q: '  ', kind: [], deletable: undefined }, new URLSearchParams('q=a&kind=form&deletable=true'));
    expect(written.toString()).toBe('');
  });

  it('ignores junk values', () => {
    expect(parseFilterState(documentFilters, new URLSearchParams('deletable=maybe&kind=&q='))).toEqual({});
  });

  it('keeps time ranges as from/to keys and sends them as ms to the server', () => {
    const params = new URLSearchParams('created_from=2025-03-01T10:00&status=failed');
    const state = parseFilterState(jobFilters, params);
    expect(state).toEqual({ created: { from: '2025-03-01T10:00' }, status: ['failed'] });
    expect(writeFilterState(jobFilters, state, new URLSearchParams()).toString()).toBe('status=failed&created_from=2025-03-01T10%3A00');
    expect(jobsQuery(state)).toEqual({ limit: 200, status: 'failed', created_after: new Date('2025-03-01T10:00').getTime() });
    expect(jobsQuery({ status: ['failed', 'queued'] })).toEqual({ limit: 200 });
  });
});
