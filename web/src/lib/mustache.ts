// Mustache in templates (SPEC section 4): the tags of a text for
// highlighting, and the names a tag being typed can be completed with — the
// document's variables (`vars.X` from its schema), `doc.*`, the quote's
// fields and the rest of the template context.

export type TagKind = 'variable' | 'unescaped' | 'section' | 'inverted' | 'close' | 'comment' | 'partial' | 'delimiter';

export interface Tag {
  from: number;
  to: number;
  kind: TagKind;
  /** The name inside the tag, trimmed ("" for a comment). */
  name: string;
}

/** A Mustache tag: triple braces first, then double (no newline inside a tag name but comments may span lines). */
export const TAG_PATTERN = /\{\{\{[^{}]*\}\}\}|\{\{![\s\S]*?\}\}|\{\{[^{}\n]*\}\}/g;

/** The kind and name of one tag's text (`{{#x}}`, `{{/x}}`, `{{{x}}}`...). */
export function classifyTag(tag: string): { kind: TagKind; name: string } {
  if (tag.startsWith('{{{')) return { kind: 'unescaped', name: tag.slice(3, -3).trim() };
  const inner = tag.slice(2, -2);
  const sigil = inner.trimStart()[0];
  const rest = inner.trimStart().slice(1).trim();
  switch (sigil) {
    case '#':
      return { kind: 'section', name: rest };
    case '^':
      return { kind: 'inverted', name: rest };
    case '/':
      return { kind: 'close', name: rest };
    case '!':
      return { kind: 'comment', name: '' };
    case '>':
      return { kind: 'partial', name: rest };
    case '&':
      return { kind: 'unescaped', name: rest };
    case '=':
      return { kind: 'delimiter', name: '' };
    default:
      return { kind: 'variable', name: inner.trim() };
  }
}

/** Every tag of a text, in order. */
export function mustacheTags(text: string): Tag[] {
  const out: Tag[] = [];
  for (const m of text.matchAll(TAG_PATTERN)) {
    out.push({ from: m.index!, to: m.index! + m[0].length, ...classifyTag(m[0]) });
  }
  return out;
}

/** The sections open at the end of `text`, outermost first. */
export function openSections(text: string): string[] {
  const stack: string[] = [];
  for (const t of mustacheTags(text)) {
    if (t.kind === 'section' || t.kind === 'inverted') stack.push(t.name);
    else if (t.kind === 'close') {
      const at = stack.lastIndexOf(t.name);
      if (at >= 0) stack.length = at;
    }
  }
  return stack;
}

export interface TagContext {
  /** Offset (in the text before the cursor) where the name being typed starts. */
  from: number;
  /** What of the name is typed so far. */
  prefix: string;
  /** The tag's sigil: '#', '^', '/', '&', '{' (triple), or '' for a plain variable. */
  sigil: string;
}

/**
 * Whether the cursor (at the end of `before`) is inside a tag being typed on
 * this line — after `{{` with no `}}` since — and what of the name is typed.
 * Null inside comments, partials and delimiter changes, and outside tags.
 */
export function tagContext(before: string): TagContext | null {
  const line = before.slice(before.lastIndexOf('\n') + 1);
  let open = line.lastIndexOf('{{');
  if (open < 0 || line.indexOf('}}', open) >= 0) return null;
  while (open > 0 && line[open - 1] === '{') open--; // the first brace of {{{
  const lineStart = before.length - line.length;
  let i = open + 2;
  let sigil = '';
  if (line[i] === '{') {
    sigil = '{';
    i++;
  }
  while (line[i] === ' ') i++;
  if (sigil === '' && line[i] && '#^/&!>='.includes(line[i]!)) {
    sigil = line[i]!;
    i++;
    while (line[i] === ' ') i++;
  }
  if (sigil === '!' || sigil === '>' || sigil === '=') return null;
  const prefix = line.slice(i);
  if (!/^[A-Za-z0-9_.]*$/.test(prefix)) return null;
  return { from: lineStart + i, prefix, sigil };
}

export interface NameOption {
  label: string;
  detail?: string;
  /** Sections are the usual way to use lists, objects and lambdas. */
  type: 'variable' | 'property' | 'function' | 'namespace';
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function schemaType(s: Schema): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

/** `vars.X` (and `vars.X.Y` for nested objects) for every property of a variables schema. */
export function varNames(schema: unknown, prefix = 'vars', depth = 0): NameOption[] {
  if (!isSchema(schema) || !isSchema(schema.properties) || depth > 4) return [];
  const out: NameOption[] = [];
  for (const [key, sub] of Object.entries(schema.properties)) {
    const s = isSchema(sub) ? sub : {};
    const name = `${prefix}.${key}`;
    const title = typeof s.title === 'string' ? s.title : undefined;
    const type = schemaType(s);
    out.push({ label: name, detail: [type, title].filter(Boolean).join(' · ') || 'variable', type: 'variable' });
    if (isSchema(s.properties)) out.push(...varNames(s, name, depth + 1));
  }
  return out;
}

/** `quote.X` for the fields of a sample quote (objects followed, lists not). */
export function quoteNames(quote: unknown, prefix = 'quote', depth = 0): NameOption[] {
  if (!isSchema(quote) || depth > 3) return [];
  const out: NameOption[] = [];
  for (const [key, v] of Object.entries(quote)) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) continue;
    const name = `${prefix}.${key}`;
    out.push({ label: name, detail: Array.isArray(v) ? 'list (use a section)' : isSchema(v) ? 'object' : 'quote field', type: 'property' });
    if (isSchema(v)) out.push(...quoteNames(v, name, depth + 1));
  }
  return out;
}

export const DOC_NAMES: readonly NameOption[] = [
  { label: 'doc.id', detail: 'document id', type: 'property' },
  { label: 'doc.title', detail: 'document title', type: 'property' },
  { label: 'doc.edition', detail: 'edition', type: 'property' },
  { label: 'doc.kind', detail: 'declarations, form, endorsement or notice', type: 'property' },
  { label: 'doc.instance', detail: 'instance number (1-based)', type: 'property' },
];

const CONTEXT_NAMES: readonly NameOption[] = [
  { label: 'quote.', detail: 'the quote as given', type: 'namespace' },
  { label: 'coverage.', detail: "the quote's coverages by code", type: 'namespace' },
  { label: 'package.documents', detail: "the package's documents (a section)", type: 'property' },
  { label: 'money', detail: 'lambda: {{#money}}{{limit}}{{/money}} → $1,000,000', type: 'function' },
  { label: 'date', detail: 'lambda: an ISO date as March 1, 2025', type: 'function' },
  { label: 'number', detail: 'lambda: 1,000,000', type: 'function' },
  { label: 'page', detail: 'page number (header and footer)', type: 'variable' },
  { label: 'pages', detail: 'page count (header and footer)', type: 'variable' },
];

/** Every name a template of this document can use: its variables, doc.*, the sample quote's fields, the rest of the context. */
export function templateNames(variablesSchema: unknown, sampleQuote?: unknown): NameOption[] {
  const seen = new Set<string>();
  return [...varNames(variablesSchema), ...DOC_NAMES, ...CONTEXT_NAMES, ...quoteNames(sampleQuote)].filter((n) => !seen.has(n.label) && !!seen.add(n.label));
}

/**
 * The options for a tag being typed: names starting with the prefix; in a
 * closing tag, the innermost open section first.
 */
export function completeTag(ctx: TagContext, names: readonly NameOption[], open: readonly string[] = []): NameOption[] {
  const p = ctx.prefix.toLowerCase();
  const matching = names.filter((n) => n.label.toLowerCase().startsWith(p));
  if (ctx.sigil !== '/') return matching;
  const closing = [...open].reverse().filter((s) => s.toLowerCase().startsWith(p));
  const out: NameOption[] = closing.map((s, i) => ({ label: s, detail: i === 0 ? 'closes the innermost open section' : 'an open section', type: 'namespace' }));
  return [...out, ...matching.filter((n) => !closing.includes(n.label))];
}
