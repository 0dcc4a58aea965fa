// Which part of a quote a package error is about, as a JSON Pointer into the
// quote. Most errors carry one already (`/jurisdiction`, `/documents/add/0`);
// `invalid_variables` carries a pointer into the instance's variables, which
// come from `documents.variables[id]`, an addition or a prior document.
import type { Diagnostic } from '../api/client';
import { formatPointer, parsePointer } from './jsonPointer';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a pointer, or undefined when there is none. */
export function valueAt(value: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (!tokens) return undefined;
  let v: unknown = value;
  for (const t of tokens) {
    if (Array.isArray(v)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) return undefined;
      v = v[Number(t)];
    } else if (isRecord(v) && Object.prototype.hasOwnProperty.call(v, t)) v = v[t];
    else return undefined;
  }
  return v;
}

/** The places in the quote an instance's variables can come from, most specific first. */
function variableSources(quote: unknown, id: string): string[] {
  const out: string[] = [formatPointer(['documents', 'variables', id])];
  const add = valueAt(quote, '/documents/add');
  if (Array.isArray(add)) add.forEach((a, k) => isRecord(a) && a.id === id && out.push(`/documents/add/${k}/variables`));
  const prior = valueAt(quote, '/prior/documents');
  if (Array.isArray(prior)) prior.forEach((p, k) => isRecord(p) && p.id === id && out.push(`/prior/documents/${k}/variables`));
  return out;
}

/**
 * The JSON Pointer into the quote that an error designates, or null when it
 * names no place in the quote. For `invalid_variables`: the variable where
 * the quote sets it, else the variables object that lacks it, else (the
 * variables are all defaults) null.
 */
export function quotePointer(d: Diagnostic, quote: unknown): string | null {
  if (d.path === undefined) return null;
  if (d.code !== 'invalid_variables' || !d.document) return parsePointer(d.path) ? d.path : null;
  const sources = variableSources(quote, d.document);
  for (const base of sources) if (valueAt(quote, base + d.path) !== undefined) return base + d.path;
  for (const base of sources) if (valueAt(quote, base) !== undefined) return base;
  return null;
}
