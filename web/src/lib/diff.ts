// Pure diffs for the Drafts and Versions pages: lines of two texts (LCS),
// fields of two lists of editions, and the files of two catalog versions.

export interface DiffLine {
  op: 'same' | 'add' | 'del';
  text: string;
  /** 1-based line number in the old text (same, del). */
  oldLine?: number;
  /** 1-based line number in the new text (same, add). */
  newLine?: number;
}

/** Above this many cells (lines × lines, after trimming the common ends) the middle is shown as removed then added. */
export const MAX_LCS_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  // A final newline ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A line diff of two texts: the longest common subsequence of lines, the rest removed (old) or added (new). */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: 'same', text: a[i] as string, oldLine: i + 1, newLine: i + 1 });

  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_LCS_CELLS) {
    for (let i = start; i < endA; i++) out.push({ op: 'del', text: a[i] as string, oldLine: i + 1 });
    for (let j = start; j < endB; j++) out.push({ op: 'add', text: b[j] as string, newLine: j + 1 });
  } else {
    // lcs[i][j]: length of the LCS of a[start+i..endA) and b[start+j..endB), in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] =
          a[start + i] === b[start + j] ? (lcs[(i + 1) * w + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        out.push({ op: 'same', text: a[start + i] as string, oldLine: start + i + 1, newLine: start + j + 1 });
        i++;
        j++;
      } else if (i < n && (j === m || (lcs[(i + 1) * w + j] as number) >= (lcs[i * w + j + 1] as number))) {
        // On a tie the removed line comes first: each change reads "- old" then "+ new".
        out.push({ op: 'del', text: a[start + i] as string, oldLine: start + i + 1 });
        i++;
      } else {
        out.push({ op: 'add', text: b[start + j] as string, newLine: start + j + 1 });
        j++;
      }
    }
  }
  for (let i = endA, j = endB; i < a.length; i++, j++) out.push({ op: 'same', text: a[i] as string, oldLine: i + 1, newLine: j + 1 });
  return out;
}

export type DiffChunk = { kind: 'lines'; lines: DiffLine[] } | { kind: 'skip'; count: number };

/** The changes with `context` unchanged lines around each; longer unchanged runs become a `skip`. */
export function withContext(lines: readonly DiffLine[], context = 3): DiffChunk[] {
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.op === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const chunks: DiffChunk[] = [];
  let i = 0;
  while (i < lines.length) {
    if (keep[i]) {
      const run: DiffLine[] = [];
      while (i < lines.length && keep[i]) run.push(lines[i++] as DiffLine);
      chunks.push({ kind: 'lines', lines: run });
    } else {
      let count = 0;
      while (i < lines.length && !keep[i]) {
        count++;
        i++;
      }
      chunks.push({ kind: 'skip', count });
    }
  }
  return chunks;
}

/** JSON with the keys of objects sorted, so that equal values compare equal. */
export function stableJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return v;
  });
}

export interface FieldChange {
  /** The edition (its `edition` field), or '#N' when it has none. */
  edition: string;
  /** The field, or '(edition)' when the whole edition is added or removed. */
  field: string;
  /** undefined: absent. */
  current: unknown;
  draft: unknown;
}

type Edition = Record<string, unknown>;

function editionKey(e: Edition, i: number): string {
  return typeof e.edition === 'string' || typeof e.edition === 'number' ? String(e.edition) : `#${i + 1}`;
}

/** The fields that differ between the current editions of an id and the drafted ones, matched by `edition`. */
export function editionChanges(current: readonly Edition[], draft: readonly Edition[], ignore: readonly string[] = ['id']): FieldChange[] {
  const before = new Map(current.map((e, i) => [editionKey(e, i), e]));
  const after = new Map(draft.map((e, i) => [editionKey(e, i), e]));
  const keys = [...before.keys(), ...[...after.keys()].filter((k) => !before.has(k))];
  const changes: FieldChange[] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    if (!b || !a) {
      changes.push({ edition: key, field: '(edition)', current: b ? 'present' : undefined, draft: a ? 'present' : undefined });
      continue;
    }
    const fields = [...Object.keys(b), ...Object.keys(a).filter((f) => !(f in b))].filter((f) => !ignore.includes(f));
    for (const f of fields) {
      if (stableJson(b[f]) !== stableJson(a[f])) changes.push({ edition: key, field: f, current: b[f], draft: a[f] });
    }
  }
  return changes;
}

/** The files of version `to` that `from` lacks (added) and those of `from` that `to` lacks (removed), sorted. */
export function fileChanges(from: readonly string[], to: readonly string[]): { added: string[]; removed: string[]; kept: number } {
  const a = new Set(from);
  const b = new Set(to);
  const added = [...b].filter((f) => !a.has(f)).sort();
  const removed = [...a].filter((f) => !b.has(f)).sort();
  return { added, removed, kept: b.size - added.length };
}
