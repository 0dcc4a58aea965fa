import { describe, expect, it } from 'vitest';
import type { TestRun } from '../api/client';
import { countsText, isClean, splitKey } from './testRuns';

const run = (counts: TestRun['counts'], status: TestRun['status'] = 'succeeded'): TestRun => ({
  id: 'run_1',
  status,
  trigger: 'manual',
  drafts: false,
  catalog_version: 1,
  progress: { variants_done: 0, variants_total: 0, percent: 0 },
  counts,
  created_at: '2026-12-01T00:00:00Z',
});

describe('test runs in words', () => {
  it('names the counts that matter first and leaves out zeros', () => {
    expect(countsText({ same: 51, changed: 2, new: 1, failed: 0, removed: 0 })).toBe('2 changed, 1 new, 51 same');
    expect(countsText({ same: 0, changed: 0, new: 0, failed: 0, removed: 0 })).toBe('no variants yet');
  });
  it('calls a finished run with only same variants clean', () => {
    expect(isClean(run({ same: 54, changed: 0, new: 0, failed: 0, removed: 0 }))).toBe(true);
    expect(isClean(run({ same: 53, changed: 0, new: 0, failed: 0, removed: 1 }))).toBe(false);
    expect(isClean(run({ same: 10, changed: 0, new: 0, failed: 0, removed: 0 }, 'running'))).toBe(false);
  });
  it('splits a variant key into document, where and sample', () => {
    expect(splitKey('CY-DEC@2025-01/cyber/CA/1')).toEqual({ document: 'CY-DEC@2025-01', where: 'cyber / CA', sample: '1' });
  });
});
