import { describe, expect, it } from 'vitest';
import { formatPointer, jsonTree, locatePointer, parsePointer, pointerAtLine, stringifySorted } from './jsonPointer';

const quote = `{
  "quote_id": "Q-1",
  "coverages": [
    {"code": "ransomware", "limit": 1000000},
    {"code": "quantum"}
  ],
  "a/b": {"~x": true},
  "empty": {},
  "n": -1.5e3
}`;

const at = (text: string, p: string) => {
  const loc = locatePointer(text, p);
  return loc && { text: text.slice(loc.from, loc.to), exact: loc.exact, pointer: loc.pointer, anchor: text.slice(loc.anchor, loc.anchor + 6) };
};

describe('JSON Pointers', () => {
  it('parses and formats pointers with ~0 and ~1', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/a~1b/~0x/0')).toEqual(['a/b', '~x', '0']);
    expect(parsePointer('a')).toBeNull();
    expect(formatPointer(['a/b', '~x', '0'])).toBe('/a~1b/~0x/0');
    expect(parsePointer('/')).toEqual(['']);
  });

  it('finds the text range of the value a pointer designates', () => {
    expect(at(quote, '/quote_id')).toEqual({ text: '"Q-1"', exact: true, pointer: '/quote_id', anchor: '"quote' });
    expect(at(quote, '/coverages/1/code')?.text).toBe('"quantum"');
    expect(at(quote, '/coverages/0')?.text).toBe('{"code": "ransomware", "limit": 1000000}');
    expect(at(quote, '/a~1b/~0x')?.text).toBe('true');
    expect(at(quote, '/empty')?.text).toBe('{}');
    expect(at(quote, '/n')?.text).toBe('-1.5e3');
    expect(at(quote, '')?.text).toBe(quote);
  });

  it('falls back to the nearest value that exists, marking its name only', () => {
    expect(at(quote, '/prior')).toMatchObject({ text: '{', exact: false, pointer: '' });
    expect(at(quote, '/coverages/7/code')).toMatchObject({ text: '"coverages"', exact: false, pointer: '/coverages' });
    expect(at(quote, '/coverages/01')).toMatchObject({ exact: false, pointer: '/coverages' });
    expect(at(quote, '/quote_id/x')).toMatchObject({ text: '"quote_id"', exact: false, pointer: '/quote_id' });
  });

  it('keeps the last of duplicate names, as JSON.parse does', () => {
    const text = '{"a": 1, "a": 2}';
    expect(at(text, '/a')?.text).toBe('2');
  });

  it('handles strings with escaped quotes and braces', () => {
    const text = '{"s": "a \\" } ] b", "t": [1, "x"]}';
    expect(at(text, '/t/1')?.text).toBe('"x"');
    expect(at(text, '/s')?.text).toBe('"a \\" } ] b"');
  });

  it('gives null for text that is not JSON or a malformed pointer', () => {
    expect(locatePointer('{"a": ', '/a')).toBeNull();
    expect(locatePointer('{}', 'a')).toBeNull();
    expect(jsonTree('')).toBeNull();
  });

  it('finds the value a line belongs to', () => {
    const text = stringifySorted({ title: 'T', applies_to: { effective: { from: '2026-01-01', until: '2025-01-01' }, jurisdictions: ['ZZ'] }, attach: { new: 'copy' } });
    const lines = text.split('\n');
    const lineOf = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
    expect(pointerAtLine(text, lineOf('"effective"'))).toBe('/applies_to/effective');
    expect(pointerAtLine(text, lineOf('"until"'))).toBe('/applies_to/effective/until');
    expect(pointerAtLine(text, lineOf('"ZZ"'))).toBe('/applies_to/jurisdictions/0');
    expect(pointerAtLine(text, lineOf('"new"'))).toBe('/attach/new');
    expect(pointerAtLine(text, 1)).toBe('');
    // A closing bracket's line belongs to the innermost value spanning it.
    expect(pointerAtLine(text, lineOf('"until"') + 1)).toBe('/applies_to/effective');
    expect(pointerAtLine(text, 999)).toBeNull();
  });

  it('writes sorted JSON with the lines docgen lints a draft with', () => {
    expect(stringifySorted({ b: 1, a: [], c: {}, '10': 'x', '2': [true, null] })).toBe(
      '{\n  "10": "x",\n  "2": [\n    true,\n    null\n  ],\n  "a": [],\n  "b": 1,\n  "c": {}\n}',
    );
    expect(stringifySorted({ a: undefined, b: 'é' })).toBe('{\n  "b": "é"\n}');
  });
});
