// JSON text typed or pasted by a person: parsed with JSON.parse, and when
// that fails, the mistake located by line and column. Browsers word (and
// place) JSON.parse's errors differently, and some name no position at all,
// so a small scanner finds where the text stops being JSON.

export interface JsonSyntaxError {
  /** In words, for the person who typed the text. */
  message: string;
  /** UTF-16 offset of the mistake in the text. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in characters of the line. */
  column: number;
  /** The text ran out before the JSON was complete (rather than meeting a mistake). */
  incomplete: boolean;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

/** 1-based line and column of an offset in the text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** "line 3, column 5: Expected "," or "}" but found "]"." */
export function describeJsonError(error: JsonSyntaxError): string {
  return `line ${error.line}, column ${error.column}: ${error.message}`;
}

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const found = findJsonError(text);
    if (found) return { ok: false, error: found };
    // The scanner and JSON.parse disagree (should not happen): keep the browser's words.
    const at = lineColumn(text, text.length);
    return { ok: false, error: { message: e instanceof Error ? e.message : String(e), offset: text.length, ...at, incomplete: false } };
  }
}

class Stop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function shown(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the text';
  if (ch === '\n' || ch === '\r') return 'a line break';
  return JSON.stringify(ch);
}

/** Where `text` stops being JSON (RFC 8259), or null when it is JSON. */
export function findJsonError(text: string): JsonSyntaxError | null {
  let i = 0;
  const s = text;
  const at = (message: string): Stop => new Stop(i, message);
  const end = (): Stop => new Stop(s.length, 'The text ends before the JSON is complete.');

  const skip = () => {
    while (i < s.length && WHITESPACE.has(s[i]!)) i++;
  };

  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= s.length) throw end();
      const c = s.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) throw at(`A string cannot hold ${shown(s[i])} or another control character: write it as an escape (\\n, \\t...), or close the string with ".`);
      if (c === 92) {
        i++;
        if (i >= s.length) throw end();
        const e = s[i]!;
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= s.length) throw end();
            if (!/[0-9a-fA-F]/.test(s[i + k]!)) {
              i += k;
              throw at('\\u must be followed by four hexadecimal digits.');
            }
          }
          i += 5;
          continue;
        }
        if (!ESCAPES.has(e)) throw at(`"\\${e}" is not an escape JSON knows (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX).`);
        i++;
        continue;
      }
      i++;
    }
  };

  const digits = (what: string) => {
    const start = i;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    if (i === start) {
      if (i >= s.length) throw end();
      throw at(`A number needs a digit ${what}, not ${shown(s[i])}.`);
    }
  };

  const number = () => {
    if (s[i] === '-') i++;
    if (s[i] === '0') i++;
    else digits('here');
    if (s[i] === '.') {
      i++;
      digits('after the decimal point');
    }
    if (s[i] === 'e' || s[i] === 'E') {
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      digits('in its exponent');
    }
  };

  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= s.length) throw end();
      if (s[i] !== word[k]) throw at(`Expected ${word}; JSON writes true, false and null in lower case, and texts in double quotes.`);
    }
  };

  const value = (): void => {
    skip();
    if (i >= s.length) throw end();
    const c = s[i]!;
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === "'") throw at('JSON texts are written in double quotes ("), not single quotes.');
    if (/[A-Za-z_]/.test(c)) throw at(`Expected a value, not ${shown(c)}: JSON writes texts in double quotes, and true, false and null in lower case.`);
    throw at(`Expected a value (an object, a list, a text in double quotes, a number, true, false or null), not ${shown(c)}.`);
  };

  const object = () => {
    i++;
    skip();
    if (s[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skip();
      if (i >= s.length) throw end();
      if (s[i] !== '"') {
        throw at(s[i] === '}' ? 'A comma cannot come before "}": remove it.' : `Expected a property name in double quotes, not ${shown(s[i])}.`);
      }
      string();
      skip();
      if (i >= s.length) throw end();
      if (s[i] !== ':') throw at(`Expected ":" after the property name, not ${shown(s[i])}.`);
      i++;
      value();
      skip();
      if (i >= s.length) throw end();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return;
      }
      throw at(`Expected "," or "}" after a property, not ${shown(s[i])}.`);
    }
  };

  const array = () => {
    i++;
    skip();
    if (s[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      skip();
      if (s[i] === ']') throw at('A comma cannot come before "]": remove it.');
      value();
      skip();
      if (i >= s.length) throw end();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === ']') {
        i++;
        return;
      }
      throw at(`Expected "," or "]" after an item of the list, not ${shown(s[i])}.`);
    }
  };

  try {
    value();
    skip();
    if (i < s.length) throw at(`Unexpected ${shown(s[i])} after the end of the JSON value.`);
    return null;
  } catch (e) {
    if (e instanceof Stop) {
      const empty = s.trim() === '';
      return {
        message: empty ? 'The text is empty.' : e.message,
        offset: e.offset,
        ...lineColumn(s, e.offset),
        incomplete: e.offset >= s.length,
      };
    }
    if (e instanceof RangeError) return null; // nested too deep for the scanner: the caller keeps JSON.parse's words
    throw e;
  }
}
