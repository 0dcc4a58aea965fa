// Pure filtering: a list of filter definitions, a filter state (what the
// person picked, kept in the URL), and rows. No React, no DOM: tested with
// Vitest (engine.test.ts) and timed with 2,000 synthetic editions.

/** A multi-select row value meaning "applies to every value" (e.g. an edition without a jurisdiction list). */
export const ANY: unique symbol = Symbol('any');
export type Any = typeof ANY;

export type FilterKind = 'multi' | 'text' | 'boolean' | 'timeRange';

interface FilterBase {
  /** The URL query key (time ranges use KEY_from and KEY_to). */
  key: string;
  label: string;
  /** For screen readers and tooltips. */
  description?: string;
}

export interface MultiFilter<Row> extends FilterBase {
  kind: 'multi';
  /** The row's values; ANY for "every value"; undefined when the row does not have the field. */
  get: (row: Row) => readonly string[] | string | Any | undefined | null;
  /** Values always offered, even when no row has them (e.g. job states). */
  options?: readonly string[];
  /** Shows a value (default: the value itself). */
  format?: (value: string) => string;
  /** Also sent to the server as this query parameter when exactly one value is picked (several are filtered among the rows it returns). See serverQuery.ts. */
  param?: string;
}

export interface TextFilter<Row> extends FilterBase {
  kind: 'text';
  /** The text searched (case-insensitive, every word must occur). */
  get: (row: Row) => string | readonly string[] | undefined | null;
  placeholder?: string;
  /** Also sent to the server as this query parameter (the text, trimmed). */
  param?: string;
}

export interface BooleanFilter<Row> extends FilterBase {
  kind: 'boolean';
  get: (row: Row) => boolean | undefined | null;
  /** Also sent to the server as this query parameter (`true` / `false`). */
  param?: string;
}

export interface TimeRangeFilter<Row> extends FilterBase {
  kind: 'timeRange';
  /** Milliseconds since the epoch. */
  get: (row: Row) => number | undefined | null;
  /** Also sent to the server: `from` and `to` as milliseconds since the epoch in these query parameters. */
  param?: { from: string; to: string };
}

export type FilterDef<Row> = MultiFilter<Row> | TextFilter<Row> | BooleanFilter<Row> | TimeRangeFilter<Row>;

/** from / to as `datetime-local` strings (local time), as typed and as kept in the URL. */
export interface TimeRange {
  from?: string;
  to?: string;
}

export type FilterValue = string[] | string | boolean | TimeRange;
export type FilterState = Record<string, FilterValue | undefined>;

export function isActive(def: FilterDef<unknown>, value: FilterValue | undefined): boolean {
  if (value === undefined) return false;
  switch (def.kind) {
    case 'multi':
      return Array.isArray(value) && value.length > 0;
    case 'text':
      return typeof value === 'string' && value.trim() !== '';
    case 'boolean':
      return typeof value === 'boolean';
    case 'timeRange':
      return typeof value === 'object' && !Array.isArray(value) && (!!value.from || !!value.to);
  }
}

/** `datetime-local` string (or anything Date parses) → ms since the epoch; undefined when empty or invalid. */
export function timeToMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

type Cell = readonly string[] | string | boolean | number | Any | undefined;

export interface Prepared<Row> {
  rows: readonly Row[];
  defs: readonly FilterDef<Row>[];
  /** cells[d][r]: the normalized value of filter d for row r (text lowercased). */
  cells: Cell[][];
  /** Whether some row has the field, or the server applies the filter (a filter on a field no row has is disabled). */
  available: boolean[];
  /** Multi-select options per filter, sorted. */
  options: string[][];
}

function normalize<Row>(def: FilterDef<Row>, row: Row): Cell {
  const raw = def.get(row);
  if (raw === undefined || raw === null) return undefined;
  switch (def.kind) {
    case 'multi':
      if (raw === ANY) return ANY;
      return typeof raw === 'string' ? [raw] : (raw as readonly string[]);
    case 'text':
      return (typeof raw === 'string' ? raw : (raw as readonly string[]).join('\n')).toLowerCase();
    case 'boolean':
      return Boolean(raw);
    case 'timeRange':
      return typeof raw === 'number' && !Number.isNaN(raw) ? raw : undefined;
  }
}

/** Precomputes each filter's value for each row: done once per data load, not per keystroke. */
export function prepare<Row>(defs: readonly FilterDef<Row>[], rows: readonly Row[]): Prepared<Row> {
  const cells: Cell[][] = [];
  const available: boolean[] = [];
  const options: string[][] = [];
  for (const def of defs) {
    const column: Cell[] = new Array<Cell>(rows.length);
    let some = false;
    const seen = new Set<string>(def.kind === 'multi' ? (def.options ?? []) : []);
    for (let r = 0; r < rows.length; r++) {
      const cell = normalize(def, rows[r] as Row);
      column[r] = cell;
      if (cell !== undefined) some = true;
      if (def.kind === 'multi' && Array.isArray(cell)) for (const v of cell as readonly string[]) seen.add(v);
    }
    cells.push(column);
    // A filter the server applies stays usable when it leaves no row (else it could not be changed back).
    available.push(some || def.param !== undefined || (def.kind === 'multi' && (def.options?.length ?? 0) > 0));
    options.push(def.kind === 'multi' ? (def.options ? [...def.options, ...[...seen].filter((v) => !def.options?.includes(v)).sort()] : [...seen].sort()) : []);
  }
  return { rows, defs, cells, available, options };
}

type Test = (cell: Cell) => boolean;

function compile<Row>(def: FilterDef<Row>, value: FilterValue): Test {
  switch (def.kind) {
    case 'multi': {
      const wanted = new Set(value as string[]);
      return (cell) => {
        if (cell === ANY) return true;
        if (!Array.isArray(cell)) return false;
        for (const v of cell as readonly string[]) if (wanted.has(v)) return true;
        return false;
      };
    }
    case 'text': {
      const words = (value as string).toLowerCase().split(/\s+/).filter(Boolean);
      return (cell) => {
        if (typeof cell !== 'string') return false;
        for (const w of words) if (!cell.includes(w)) return false;
        return true;
      };
    }
    case 'boolean': {
      const wanted = value as boolean;
      return (cell) => typeof cell === 'boolean' && cell === wanted;
    }
    case 'timeRange': {
      const range = value as TimeRange;
      const from = timeToMs(range.from);
      const to = timeToMs(range.to);
      // from inclusive, to exclusive, as created_after / created_before.
      return (cell) => typeof cell === 'number' && (from === undefined || cell >= from) && (to === undefined || cell < to);
    }
  }
}

export interface FilterResult<Row> {
  /** The rows passing every active filter, in their original order. */
  rows: Row[];
  total: number;
  /** Keys of the active filters (on available fields). */
  active: string[];
  /**
   * counts[key][option]: for a multi-select filter, how many rows would pass
   * with that option picked, given the other filters (facet counts).
   */
  counts: Record<string, Map<string, number>>;
  /** passing[key]: how many rows pass that filter alone (for its chip). */
  passing: Record<string, number>;
}

export function applyFilters<Row>(prepared: Prepared<Row>, state: FilterState): FilterResult<Row> {
  const { defs, cells, rows, available, options } = prepared;
  const activeIdx: number[] = [];
  const tests: Test[] = [];
  defs.forEach((def, d) => {
    const value = state[def.key];
    if (available[d] && isActive(def as FilterDef<unknown>, value)) {
      activeIdx.push(d);
      tests.push(compile(def, value as FilterValue));
    }
  });
  const multiIdx: number[] = [];
  defs.forEach((def, d) => {
    if (def.kind === 'multi' && available[d]) multiIdx.push(d);
  });
  const counts: Record<string, Map<string, number>> = {};
  for (const d of multiIdx) counts[(defs[d] as FilterDef<Row>).key] = new Map((options[d] as string[]).map((o) => [o, 0]));
  const passingArr = new Array<number>(activeIdx.length).fill(0);
  const out: Row[] = [];
  const n = rows.length;
  const a = activeIdx.length;
  for (let r = 0; r < n; r++) {
    let fails = 0;
    let failed = -1;
    for (let i = 0; i < a; i++) {
      if ((tests[i] as Test)((cells[activeIdx[i] as number] as Cell[])[r])) {
        passingArr[i] = (passingArr[i] as number) + 1;
      } else {
        fails++;
        failed = activeIdx[i] as number;
      }
    }
    if (fails === 0) out.push(rows[r] as Row);
    if (fails > 1) continue;
    for (const d of multiIdx) {
      if (fails === 1 && failed !== d) continue;
      const map = counts[(defs[d] as FilterDef<Row>).key] as Map<string, number>;
      const cell = (cells[d] as Cell[])[r];
      if (cell === ANY) {
        for (const [k, v] of map) map.set(k, v + 1);
      } else if (Array.isArray(cell)) {
        for (const v of cell as readonly string[]) map.set(v, (map.get(v) ?? 0) + 1);
      }
    }
  }
  const passing: Record<string, number> = {};
  activeIdx.forEach((d, i) => {
    passing[(defs[d] as FilterDef<Row>).key] = passingArr[i] as number;
  });
  return { rows: out, total: n, active: activeIdx.map((d) => (defs[d] as FilterDef<Row>).key), counts, passing };
}

/** Convenience for tests and one-off uses: prepare and apply at once. */
export function filterRows<Row>(defs: readonly FilterDef<Row>[], rows: readonly Row[], state: FilterState): Row[] {
  return applyFilters(prepare(defs, rows), state).rows;
}
