// JSON Pointers (RFC 6901) and the JSON text they point into: where in the
// text a pointer's value is (to highlight it in an editor), and which value a
// line of the text belongs to (to place a finding that names a line).

/** One value of a JSON text, with its place in the text (UTF-16 offsets, `to` exclusive). */
export interface JsonNode {
  pointer: string;
  kind: 'object' | 'array' | 'string' | 'number' | 'literal';
  from: number;
  to: number;
  /** The member's name in quotes, for a value inside an object. */
  keyFrom?: number;
  keyTo?: number;
  /** Members (objects) or items (arrays), in text order. */
  children?: { token: string; node: JsonNode }[];
}

/** The reference tokens of a pointer ("" → [], "/a~1b/0" → ["a/b", "0"]); null when it is not a pointer. */
export function parsePointer(pointer: string): string[] | null {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The tree of a JSON text with positions; null when the text is not JSON. */
export function jsonTree(text: string): JsonNode | null {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  let i = 0;
  const s = text;
  const skip = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const string = () => {
    i++;
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    i++;
  };
  const value = (pointer: string, depth: number): JsonNode => {
    skip();
    const from = i;
    const c = s[i];
    if (depth > 512) throw new RangeError('too deep');
    if (c === '{') {
      i++;
      const children: { token: string; node: JsonNode }[] = [];
      skip();
      if (s[i] === '}') i++;
      else
        for (;;) {
          skip();
          const keyFrom = i;
          string();
          const keyTo = i;
          const token = JSON.parse(s.slice(keyFrom, keyTo)) as string;
          skip();
          i++; // :
          const node = value(`${pointer}${formatPointer([token])}`, depth + 1);
          node.keyFrom = keyFrom;
          node.keyTo = keyTo;
          children.push({ token, node });
          skip();
          if (s[i++] === '}') break;
        }
      return { pointer, kind: 'object', from, to: i, children };
    }
    if (c === '[') {
      i++;
      const children: { token: string; node: JsonNode }[] = [];
      skip();
      if (s[i] === ']') i++;
      else
        for (let n = 0; ; n++) {
          const node = value(`${pointer}/${n}`, depth + 1);
          children.push({ token: String(n), node });
          skip();
          if (s[i++] === ']') break;
        }
      return { pointer, kind: 'array', from, to: i, children };
    }
    if (c === '"') {
      string();
      return { pointer, kind: 'string', from, to: i };
    }
    if (c === 't' || c === 'f' || c === 'n') {
      i += c === 'f' ? 5 : 4;
      return { pointer, kind: 'literal', from, to: i };
    }
    while (i < s.length && /[-+0-9.eE]/.test(s[i]!)) i++;
    return { pointer, kind: 'number', from, to: i };
  };
  try {
    return value('', 0);
  } catch {
    return null;
  }
}

/** The member of an object (the last one of that name, as JSON.parse keeps) or the item of an array. */
function child(node: JsonNode, token: string): JsonNode | undefined {
  if (!node.children) return undefined;
  if (node.kind === 'array') return /^(0|[1-9][0-9]*)$/.test(token) ? node.children[Number(token)]?.node : undefined;
  let found: JsonNode | undefined;
  for (const c of node.children) if (c.token === token) found = c.node;
  return found;
}

export interface PointerLocation {
  /** The range to mark: the value the pointer designates, or (not exact) the nearest value that exists. */
  from: number;
  to: number;
  /** Where to put the cursor: the member's name when it has one, else the value. */
  anchor: number;
  /** The pointer designates a value that is in the text. */
  exact: boolean;
  /** The pointer of the value marked (the pointer itself when exact). */
  pointer: string;
}

/**
 * Where a JSON Pointer's value is in a JSON text. When the value is missing
 * (an error about a required member, say), the nearest enclosing value that
 * exists is given instead (`exact` false): its member name when it has one,
 * else its opening bracket, so that the mark stays small. Null when the text
 * is not JSON or the pointer is malformed.
 */
export function locatePointer(text: string, pointer: string, tree: JsonNode | null = jsonTree(text)): PointerLocation | null {
  const tokens = parsePointer(pointer);
  if (!tree || !tokens) return null;
  let node = tree;
  for (const token of tokens) {
    const next = child(node, token);
    if (!next) {
      const from = node.keyFrom ?? node.from;
      const to = node.keyFrom !== undefined ? node.keyTo! : node.from + 1;
      return { from, to, anchor: from, exact: false, pointer: node.pointer };
    }
    node = next;
  }
  return { from: node.from, to: node.to, anchor: node.keyFrom ?? node.from, exact: true, pointer: node.pointer };
}

/** Every node of the tree, in text order (parents before their children). */
export function allNodes(tree: JsonNode): JsonNode[] {
  const out: JsonNode[] = [];
  const walk = (n: JsonNode) => {
    out.push(n);
    n.children?.forEach((c) => walk(c.node));
  };
  walk(tree);
  return out;
}

/** 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The pointer of the value a 1-based line of a JSON text belongs to: the
 * first (outermost) value whose member name or start is on that line, else
 * the innermost value spanning it (a closing bracket's line). Null when the
 * text is not JSON or the line is beyond it.
 */
export function pointerAtLine(text: string, line: number, tree: JsonNode | null = jsonTree(text)): string | null {
  if (!tree || line < 1) return null;
  const nodes = allNodes(tree);
  let spanning: JsonNode | null = null;
  for (const n of nodes) {
    const start = lineOf(text, n.keyFrom ?? n.from);
    if (start === line) return n.pointer;
    if (start < line && lineOf(text, n.to - 1) >= line) spanning = n;
  }
  return spanning?.pointer ?? null;
}

/**
 * JSON text with two-space indents and the members of every object sorted by
 * name, code unit by code unit (as a C++ std::map keeps them): what docgen
 * stores a document draft as, so lint's line numbers for a draft are lines
 * of this text. (JSON.stringify cannot be used: objects put integer-like
 * names first.)
 */
export function stringifySorted(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + stringifySorted(v === undefined ? null : v, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${stringifySorted((value as Record<string, unknown>)[k], inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
