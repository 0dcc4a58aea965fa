// The document editor's model of an edition (SPEC section 1): the codes
// applies_to may use, attach modes, the effective window, immutable updates
// of one field, and lint findings placed on the field they are about.
import type { CatalogDocument, Diagnostic, DocumentEdition } from '../api/client';
import { formatPointer, jsonTree, parsePointer, pointerAtLine, stringifySorted } from './jsonPointer';

export const TRANSACTIONS = ['new', 'renewal', 'reissue'] as const;
export type Transaction = (typeof TRANSACTIONS)[number];
export const ATTACH_MODES = ['yes', 'no', 'copy'] as const;
export type Mode = (typeof ATTACH_MODES)[number];
export const KINDS = ['declarations', 'form', 'endorsement', 'notice'] as const;
export const CODE_LISTS = ['products', 'jurisdictions', 'agencies', 'coverages'] as const;
export type CodeList = (typeof CODE_LISTS)[number];

/** The modes a transaction may use: copy needs a prior package, which new business has not. */
export function attachChoices(tx: Transaction): readonly Mode[] {
  return tx === 'new' ? ['yes', 'no'] : ATTACH_MODES;
}

/** An attach mode as the form shows it: YAML booleans are yes/no, a missing one is no (the default). */
export function attachMode(value: unknown): string {
  if (value === true) return 'yes';
  if (value === false || value === undefined || value === null) return 'no';
  return String(value);
}

export interface Code {
  code: string;
  label?: string;
}

export interface CatalogCodes {
  products: Code[];
  jurisdictions: Code[];
  agencies: Code[];
  coverages: Code[];
  /** True when the server declared the codes (GET /v1/catalog); false when they were gathered from the documents' applies_to. */
  declared: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function declaredList(v: unknown): Code[] | null {
  if (!Array.isArray(v)) return null;
  const out: Code[] = [];
  for (const x of v) {
    if (typeof x === 'string') out.push({ code: x });
    else if (isRecord(x) && typeof x.code === 'string') out.push(typeof x.label === 'string' ? { code: x.code, label: x.label } : { code: x.code });
  }
  return out;
}

/**
 * The codes applies_to may use. The catalog summary's lists when the server
 * sends them (`products`, `jurisdictions`, `agencies`, `coverages` as in
 * catalog.yaml, coverages as codes or {code, label}); otherwise every code
 * some edition's applies_to uses, sorted (lint still checks that a code is
 * declared).
 */
export function catalogCodes(summary: unknown, documents: readonly CatalogDocument[]): CatalogCodes {
  const s = isRecord(summary) ? summary : {};
  const lists = CODE_LISTS.map((k) => declaredList(s[k]));
  if (lists[0] && lists[1] && lists[3]) {
    return { products: lists[0], jurisdictions: lists[1], agencies: lists[2] ?? [], coverages: lists[3], declared: true };
  }
  const used = (k: CodeList): Code[] => {
    const seen = new Set<string>();
    for (const d of documents) {
      const list = d.applies_to?.[k];
      if (Array.isArray(list)) list.forEach((c) => typeof c === 'string' && seen.add(c));
    }
    return [...seen].sort().map((code) => ({ code }));
  };
  return { products: used('products'), jurisdictions: used('jurisdictions'), agencies: used('agencies'), coverages: used('coverages'), declared: false };
}

/** The codes to offer: the catalog's, then any the edition selects that are not among them (flagged). */
export function codeOptions(codes: readonly Code[], selected: readonly string[]): (Code & { unknown?: boolean })[] {
  const known = new Set(codes.map((c) => c.code));
  return [...codes, ...selected.filter((s) => !known.has(s)).map((code) => ({ code, unknown: true }))];
}

/** A copy of `value` with the member at `path` set (undefined: removed). */
export function setIn<T extends Record<string, unknown>>(value: T, path: readonly string[], v: unknown): T {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const out: Record<string, unknown> = { ...value };
  if (rest.length === 0) {
    if (v === undefined) delete out[head];
    else out[head] = v;
  } else {
    const inner = isRecord(out[head]) ? (out[head] as Record<string, unknown>) : {};
    out[head] = setIn(inner, rest, v);
  }
  return out as T;
}

export function getIn(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const k of path) v = isRecord(v) ? v[k] : undefined;
  return v;
}

/** A list of strings under applies_to ([] when missing). */
export function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** YYYY-MM-DD naming a real day. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** What is wrong with an effective window [from, until), for a hint beside the dates (lint has the last word). */
export function effectiveProblem(from: string | undefined, until: string | undefined): string | null {
  if (from && !isIsoDate(from)) return '"From" must be a date written YYYY-MM-DD.';
  if (until && !isIsoDate(until)) return '"Until" must be a date written YYYY-MM-DD.';
  if (from && until && !(from < until)) return 'The window is empty: "until" must be after "from" (the window is [from, until)).';
  return null;
}

/** The fields of the editor a finding can be shown beside. */
export const FIELDS = [
  'id',
  'edition',
  'title',
  'kind',
  'order',
  'template',
  'applies_to.products',
  'applies_to.jurisdictions',
  'applies_to.agencies',
  'applies_to.coverages',
  'applies_to.coverages_match',
  'applies_to.effective',
  'applies_to',
  'attach',
  'deletable',
  'flag_manual',
  'multiple',
  'variables',
] as const;
export type Field = (typeof FIELDS)[number];

/** The editor field a JSON Pointer into an edition is about (the longest field that prefixes it), or null. */
export function fieldOfPointer(pointer: string): Field | null {
  const tokens = parsePointer(pointer);
  if (!tokens) return null;
  for (let n = tokens.length; n > 0; n--) {
    const key = tokens.slice(0, n).join('.');
    if ((FIELDS as readonly string[]).includes(key)) return key as Field;
  }
  return null;
}

/** A finding placed on a field of one edition. */
export interface Placed {
  edition: number;
  field: Field;
  pointer: string;
  finding: Diagnostic;
}

/**
 * Places lint findings on the editor's fields. docgen lints a document draft
 * as files `documents/ID.yaml` (one edition) or `documents/ID-K.yaml` (edition
 * K of several), each the edition as JSON with sorted members and two-space
 * indents, so a finding's line designates a value of the edition as saved.
 * Findings with a JSON Pointer into the body (`/K/field`) are placed too.
 * Others (other files, no line, fields the editor does not show) stay in
 * `unplaced`.
 */
export function placeFindings(id: string, editions: readonly DocumentEdition[], findings: readonly Diagnostic[]): { placed: Placed[]; unplaced: Diagnostic[] } {
  const placed: Placed[] = [];
  const unplaced: Diagnostic[] = [];
  const texts = editions.map((e) => stringifySorted(e));
  const trees = texts.map((t) => jsonTree(t));
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const file = new RegExp(`^documents/${esc}(?:-(\\d+))?_*\\.yaml$`);
  for (const f of findings) {
    let edition = -1;
    let pointer: string | null = null;
    const m = f.file ? file.exec(f.file) : null;
    if (m && f.line !== undefined) {
      edition = m[1] === undefined ? (editions.length === 1 ? 0 : -1) : editions.length > 1 ? Number(m[1]) - 1 : -1;
      if (edition >= 0 && edition < editions.length) pointer = pointerAtLine(texts[edition]!, f.line, trees[edition]);
    } else if (!f.file && f.path) {
      const tokens = parsePointer(f.path);
      if (tokens && tokens.length > 0 && /^\d+$/.test(tokens[0]!)) {
        edition = Number(tokens[0]);
        pointer = formatPointer(tokens.slice(1));
      }
    }
    const field = pointer !== null && edition >= 0 && edition < editions.length ? fieldOfPointer(pointer) : null;
    if (field && pointer !== null) placed.push({ edition, field, pointer, finding: f });
    else unplaced.push(f);
  }
  return { placed, unplaced };
}
