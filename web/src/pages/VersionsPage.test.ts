import { describe, expect, it } from 'vitest';
import { selectedVersions } from './VersionsPage';

describe('selectedVersions', () => {
  it('reads at most two distinct version numbers from ?v=', () => {
    expect(selectedVersions(new URLSearchParams('v=3'))).toEqual([3]);
    expect(selectedVersions(new URLSearchParams('v=3&v=5'))).toEqual([3, 5]);
    expect(selectedVersions(new URLSearchParams('v=3&v=3&v=x&v=0'))).toEqual([3]);
    expect(selectedVersions(new URLSearchParams('v=1&v=2&v=4'))).toEqual([2, 4]);
  });
});
