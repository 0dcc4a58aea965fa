// Pure diffs for the Drafts and Versions pages: lines of two texts (LCS),
// fields of two lists of editions (per id for two catalog versions), and the
// files of two catalog versions.

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
  /** The value before (the current editions, or the older version's); undefined: absent. */
  current: unknown;
  /** The value after (the drafted editions, or the newer version's); undefined: absent. */
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

/** Groups editions by their `id`, in the order met. */
function byId(editions: readonly Edition[]): Map<string, Edition[]> {
  const ids = new Map<string, Edition[]>();
  for (const e of editions) {
    const id = typeof e.id === 'string' ? e.id : String(e.id ?? '');
    const list = ids.get(id);
    if (list) list.push(e);
    else ids.set(id, [e]);
  }
  return ids;
}

export interface DocumentChanges {
  /** The ids of `to` that `from` lacks, with their editions; sorted by id. */
  added: { id: string; editions: string[] }[];
  /** The ids of `from` that `to` lacks, with their editions; sorted by id. */
  removed: { id: string; editions: string[] }[];
  /** The ids of both whose editions differ: editions added or removed and fields changed (see editionChanges); sorted by id. */
  changed: { id: string; changes: FieldChange[] }[];
  /** How many ids both have with equal editions. */
  unchanged: number;
}

/** What changes between the document editions of two catalog versions, id by id. */
export function documentChanges(from: readonly Edition[], to: readonly Edition[]): DocumentChanges {
  const before = byId(from);
  const after = byId(to);
  const result: DocumentChanges = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const id of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(id);
    const a = after.get(id);
    if (!b && a) result.added.push({ id, editions: a.map(editionKey) });
    else if (b && !a) result.removed.push({ id, editions: b.map(editionKey) });
    else if (b && a) {
      const changes = editionChanges(b, a);
      if (changes.length > 0) result.changed.push({ id, changes });
      else result.unchanged++;
    }
  }
  return result;
}

/** The files of a catalog version: their paths and the digest of each (GET /v1/catalog/versions/{n}). */
export interface VersionFiles {
  files: readonly string[];
  file_digests: Readonly<Record<string, string>>;
}

export interface FileChanges {
  /** The files of `to` that `from` lacks, sorted. */
  added: string[];
  /** The files of `from` that `to` lacks, sorted. */
  removed: string[];
  /** The files of both whose digests differ (or that lack a digest: they may differ), sorted. */
  changed: string[];
  /** How many files both have with the same digest. */
  unchanged: number;
}

/** The files added, removed and changed from catalog version `from` to version `to`. */
export function versionChanges(from: VersionFiles, to: VersionFiles): FileChanges {
  const a = new Set(from.files);
  const b = new Set(to.files);
  const both = [...b].filter((f) => a.has(f));
  const changed = both.filter((f) => {
    const x = from.file_digests[f];
    const y = to.file_digests[f];
    return x === undefined || y === undefined || x !== y;
  });
  return {
    added: [...b].filter((f) => !a.has(f)).sort(),
    removed: [...a].filter((f) => !b.has(f)).sort(),
    changed: changed.sort(),
    unchanged: both.length - changed.length,
  };
}
