import { describe, expect, it } from 'vitest';
import { describeJsonError, findJsonError, lineColumn, parseJson } from './json';

function errorAt(text: string) {
  const r = parseJson(text);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} not to parse`);
  return r.error;
}

describe('parseJson', () => {
  it('returns the value of JSON', () => {
    expect(parseJson('{"a": [1, 2.5e3, -0, true, null, "x\\n\\u00e9"]}')).toEqual({ ok: true, value: { a: [1, 2500, -0, true, null, 'x\né'] } });
  });

  it('names the line and column of a missing comma', () => {
    const e = errorAt('{\n  "policy_id": "P"\n  "quote": {}\n}');
    expect(e).toMatchObject({ line: 3, column: 3, incomplete: false });
    expect(e.message).toMatch(/Expected "," or "}"/);
    expect(describeJsonError(e)).toMatch(/^line 3, column 3: /);
  });

  it('points at a trailing comma, single quotes and words that are not JSON', () => {
    expect(errorAt('{"a": 1,}')).toMatchObject({ line: 1, column: 9, message: expect.stringMatching(/comma/) });
    expect(errorAt('[1, 2, ]')).toMatchObject({ column: 8, message: expect.stringMatching(/comma/) });
    expect(errorAt("{'a': 1}")).toMatchObject({ column: 2 });
    expect(errorAt('{"a": True}')).toMatchObject({ column: 7, message: expect.stringMatching(/lower case/) });
    expect(errorAt('{"a": 01}')).toMatchObject({ column: 8 });
    expect(errorAt('{"a": "x\\q"}')).toMatchObject({ column: 10 });
    expect(errorAt('{} {}')).toMatchObject({ column: 4, message: expect.stringMatching(/after the end/) });
  });

  it('tells a text that ends too early from one with a mistake', () => {
    expect(errorAt('{"quote": {"a": 1}')).toMatchObject({ incomplete: true, offset: 18 });
    expect(errorAt('{"a": "open')).toMatchObject({ incomplete: true });
    expect(errorAt('  ')).toMatchObject({ incomplete: true, message: 'The text is empty.' });
    expect(errorAt('{"a": "line\nbreak"}')).toMatchObject({ incomplete: false, line: 1, column: 12 });
  });

  it('agrees with JSON.parse on what is JSON', () => {
    for (const text of ['0', '-1.5E-3', '"\\ud83d\\ude00"', ' [ ] ', '{"":{}}', '[[[]]]', 'true']) {
      expect(findJsonError(text)).toBeNull();
      expect(parseJson(text).ok).toBe(true);
    }
  });
});

describe('lineColumn', () => {
  it('is 1-based', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd', 99)).toEqual({ line: 2, column: 3 });
  });
});
