import { describe, expect, it } from 'vitest';
import { selectedVersions, selectionStatus } from './VersionsPage';

describe('selectedVersions', () => {
  it('reads at most two distinct version numbers from ?v=', () => {
    expect(selectedVersions(new URLSearchParams('v=3'))).toEqual([3]);
    expect(selectedVersions(new URLSearchParams('v=3&v=5'))).toEqual([3, 5]);
    expect(selectedVersions(new URLSearchParams('v=3&v=3&v=x&v=0'))).toEqual([3]);
    expect(selectedVersions(new URLSearchParams('v=1&v=2&v=4'))).toEqual([2, 4]);
  });
});

describe('selectionStatus', () => {
  it('says what the selection shows, the older version first', () => {
    expect(selectionStatus([])).toBe('No version selected.');
    expect(selectionStatus([3])).toBe('Version 3 selected: select another to compare them.');
    expect(selectionStatus([5, 3])).toBe('Comparing version 3 with version 5.');
  });
});
