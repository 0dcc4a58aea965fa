import { describe, expect, it } from 'vitest';
import { documentChanges, editionChanges, lineDiff, stableJson, versionChanges, withContext, type DiffLine } from './diff';

const ops = (d: DiffLine[]) => d.map((l) => `${l.op === 'same' ? ' ' : l.op === 'add' ? '+' : '-'}${l.text}`);

describe('lineDiff', () => {
  it('finds nothing changed in equal texts', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n').every((l) => l.op === 'same')).toBe(true);
    expect(lineDiff('', '')).toEqual([]);
  });

  it('shows added and removed lines, removed first', () => {
    expect(ops(lineDiff('a\nb\nc\n', 'a\nB\nc\nd\n'))).toEqual([' a', '-b', '+B', ' c', '+d']);
  });

  it('keeps the longest common subsequence in the middle', () => {
    expect(ops(lineDiff('x\na\nb\nc\ny', 'z\na\nc\nb\nw'))).toEqual(['-x', '+z', ' a', '-b', ' c', '-y', '+b', '+w']);
  });

  it('numbers the lines of each side', () => {
    const d = lineDiff('a\nb\nc', 'a\nc\nd');
    expect(d).toEqual([
      { op: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { op: 'del', text: 'b', oldLine: 2 },
      { op: 'same', text: 'c', oldLine: 3, newLine: 2 },
      { op: 'add', text: 'd', newLine: 3 },
    ]);
  });

  it('handles an empty side and CRLF', () => {
    expect(ops(lineDiff('', 'a\r\nb\r\n'))).toEqual(['+a', '+b']);
    expect(ops(lineDiff('a\nb', ''))).toEqual(['-a', '-b']);
  });

  it('stays fast on large texts', () => {
    const big = Array.from({ length: 3000 }, (_, i) => `line ${i}`);
    const changed = [...big];
    changed[1500] = 'changed';
    const d = lineDiff(big.join('\n'), changed.join('\n'));
    expect(d.filter((l) => l.op !== 'same').map((l) => l.op)).toEqual(['del', 'add']);
  });
});

describe('withContext', () => {
  it('collapses long unchanged runs', () => {
    const old = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const neu = [...old];
    neu[10] = 'X';
    const chunks = withContext(lineDiff(old.join('\n'), neu.join('\n')), 2);
    expect(chunks.map((c) => (c.kind === 'skip' ? c.count : c.lines.length))).toEqual([8, 6, 7]);
  });
});

describe('editionChanges', () => {
  it('lists changed, added and removed fields by edition', () => {
    const current = [
      { id: 'A', edition: '2024', title: 'T', applies_to: { products: ['cyber'], coverages: [] } },
      { id: 'A', edition: '2025', title: 'T' },
    ];
    const draft = [
      { id: 'A', edition: '2024', title: 'T2', applies_to: { coverages: [], products: ['cyber'] }, deletable: true },
      { id: 'A', edition: '2026', title: 'T' },
    ];
    expect(editionChanges(current, draft)).toEqual([
      { edition: '2024', field: 'title', current: 'T', draft: 'T2' },
      { edition: '2024', field: 'deletable', current: undefined, draft: true },
      { edition: '2025', field: '(edition)', current: 'present', draft: undefined },
      { edition: '2026', field: '(edition)', current: undefined, draft: 'present' },
    ]);
  });

  it('finds no change in equal editions whatever their key order', () => {
    expect(editionChanges([{ edition: '1', a: { x: 1, y: 2 } }], [{ a: { y: 2, x: 1 }, edition: '1' }])).toEqual([]);
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('documentChanges', () => {
  const a2024 = { id: 'A', edition: '2024', title: 'A' };
  const b2024 = { id: 'B', edition: '2024', title: 'B' };
  const c2025 = { id: 'C', edition: '2025', title: 'C' };

  it('lists the ids added and removed, with their editions, sorted by id', () => {
    const d2024 = { id: 'D', edition: '2024' };
    const d2025 = { id: 'D', edition: '2025' };
    expect(documentChanges([c2025, a2024], [d2025, a2024, d2024])).toEqual({
      added: [{ id: 'D', editions: ['2025', '2024'] }],
      removed: [{ id: 'C', editions: ['2025'] }],
      changed: [],
      unchanged: 1,
    });
  });

  it('gives the field changes of the ids in both, editions added and removed among them', () => {
    const from = [a2024, b2024];
    const to = [{ ...a2024, title: 'A2', order: 10 }, b2024, { id: 'B', edition: '2025', title: 'B' }];
    expect(documentChanges(from, to)).toEqual({
      added: [],
      removed: [],
      changed: [
        {
          id: 'A',
          changes: [
            { edition: '2024', field: 'title', current: 'A', draft: 'A2' },
            { edition: '2024', field: 'order', current: undefined, draft: 10 },
          ],
        },
        { id: 'B', changes: [{ edition: '2025', field: '(edition)', current: undefined, draft: 'present' }] },
      ],
      unchanged: 0,
    });
  });

  it('finds nothing changed between equal catalogs, whatever the order of editions and keys', () => {
    expect(documentChanges([a2024, b2024], [{ title: 'B', edition: '2024', id: 'B' }, a2024])).toEqual({ added: [], removed: [], changed: [], unchanged: 2 });
    expect(documentChanges([], [])).toEqual({ added: [], removed: [], changed: [], unchanged: 0 });
  });
});

describe('versionChanges', () => {
  const v1 = {
    files: ['catalog.yaml', 'documents/A.yaml', 'templates/A.md', 'templates/B.md'],
    file_digests: { 'catalog.yaml': 'c1', 'documents/A.yaml': 'a1', 'templates/A.md': 'ta1', 'templates/B.md': 'tb1' },
  };

  it('lists the files added, removed and changed (by digest), sorted', () => {
    const v2 = {
      files: ['templates/C.md', 'templates/A.md', 'catalog.yaml', 'documents/B.yaml', 'templates/B.md'],
      file_digests: { 'catalog.yaml': 'c1', 'documents/B.yaml': 'b1', 'templates/A.md': 'ta2', 'templates/B.md': 'tb2', 'templates/C.md': 'tc1' },
    };
    expect(versionChanges(v1, v2)).toEqual({
      added: ['documents/B.yaml', 'templates/C.md'],
      removed: ['documents/A.yaml'],
      changed: ['templates/A.md', 'templates/B.md'],
      unchanged: 1,
    });
  });

  it('finds nothing changed between a version and itself', () => {
    expect(versionChanges(v1, v1)).toEqual({ added: [], removed: [], changed: [], unchanged: 4 });
  });

  it('counts a file without a digest as changed: it may differ', () => {
    const noDigests = { files: v1.files, file_digests: {} };
    expect(versionChanges(v1, noDigests).changed).toEqual(v1.files);
    expect(versionChanges(noDigests, v1).unchanged).toBe(0);
  });
});
