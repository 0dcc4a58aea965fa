import { describe, expect, it } from 'vitest';
import type { CatalogDocument } from '../api/client';
import { attachChoices, attachMode, catalogCodes, codeOptions, effectiveProblem, fieldOfPointer, getIn, isIsoDate, placeFindings, setIn } from './edition';
import { stringifySorted } from './jsonPointer';

const doc = (id: string, applies: CatalogDocument['applies_to']): CatalogDocument => ({ id, edition: '1', title: id, kind: 'form', order: 1, template: 't.md', applies_to: applies });

describe('attach', () => {
  it('offers copy for renewal and reissue only', () => {
    expect(attachChoices('new')).toEqual(['yes', 'no']);
    expect(attachChoices('renewal')).toEqual(['yes', 'no', 'copy']);
    expect(attachChoices('reissue')).toEqual(['yes', 'no', 'copy']);
  });
  it('reads YAML booleans and the default', () => {
    expect(attachMode(true)).toBe('yes');
    expect(attachMode(false)).toBe('no');
    expect(attachMode(undefined)).toBe('no');
    expect(attachMode('copy')).toBe('copy');
  });
});

describe('catalog codes', () => {
  const docs = [doc('A', { products: ['cyber'], jurisdictions: ['NY', 'CA'], coverages: ['ransomware'] }), doc('B', { products: ['tech_eo', 'cyber'], agencies: ['AG-17'] }), doc('C', undefined)];
  it('uses the codes the server declares', () => {
    const c = catalogCodes({ products: ['cyber'], jurisdictions: ['CA', 'FL'], coverages: [{ code: 'ransomware', label: 'Ransomware' }, 'x'] }, docs);
    expect(c).toEqual({
      declared: true,
      products: [{ code: 'cyber' }],
      jurisdictions: [{ code: 'CA' }, { code: 'FL' }],
      agencies: [],
      coverages: [{ code: 'ransomware', label: 'Ransomware' }, { code: 'x' }],
    });
  });
  it('otherwise gathers the codes the documents use', () => {
    const c = catalogCodes({ version: 1, name: 'x' }, docs);
    expect(c.declared).toBe(false);
    expect(c.products.map((x) => x.code)).toEqual(['cyber', 'tech_eo']);
    expect(c.jurisdictions.map((x) => x.code)).toEqual(['CA', 'NY']);
    expect(c.agencies.map((x) => x.code)).toEqual(['AG-17']);
    expect(c.coverages.map((x) => x.code)).toEqual(['ransomware']);
  });
  it('keeps selected codes the catalog does not list, flagged', () => {
    expect(codeOptions([{ code: 'CA' }], ['ZZ', 'CA'])).toEqual([{ code: 'CA' }, { code: 'ZZ', unknown: true }]);
  });
});

describe('fields', () => {
  it('sets and removes nested members without touching the original', () => {
    const e = { id: 'X', applies_to: { products: ['a'] } };
    const f = setIn(e, ['applies_to', 'effective', 'from'], '2025-01-01');
    expect(f).toEqual({ id: 'X', applies_to: { products: ['a'], effective: { from: '2025-01-01' } } });
    expect(e).toEqual({ id: 'X', applies_to: { products: ['a'] } });
    expect(setIn(f, ['applies_to', 'effective', 'from'], undefined)).toEqual({ id: 'X', applies_to: { products: ['a'], effective: {} } });
    expect(getIn(f, ['applies_to', 'effective', 'from'])).toBe('2025-01-01');
    expect(getIn(f, ['nope', 'x'])).toBeUndefined();
  });
  it('checks dates and effective windows', () => {
    expect(isIsoDate('2025-02-28')).toBe(true);
    expect(isIsoDate('2025-02-30')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
    expect(effectiveProblem(undefined, undefined)).toBeNull();
    expect(effectiveProblem('2025-01-01', '')).toBeNull();
    expect(effectiveProblem('2025-01-01', '2026-01-01')).toBeNull();
    expect(effectiveProblem('2026-01-01', '2025-01-01')).toMatch(/empty/);
    expect(effectiveProblem('2026-01-01', '2026-01-01')).toMatch(/empty/);
    expect(effectiveProblem('2026-13-01', undefined)).toMatch(/From/);
  });
  it('names the field a pointer is about', () => {
    expect(fieldOfPointer('/applies_to/effective/until')).toBe('applies_to.effective');
    expect(fieldOfPointer('/applies_to/jurisdictions/0')).toBe('applies_to.jurisdictions');
    expect(fieldOfPointer('/applies_to/bogus')).toBe('applies_to');
    expect(fieldOfPointer('/attach/new')).toBe('attach');
    expect(fieldOfPointer('/variables/properties/x')).toBe('variables');
    expect(fieldOfPointer('/bogus')).toBeNull();
    expect(fieldOfPointer('')).toBeNull();
  });
});

describe('placing lint findings', () => {
  const edition = {
    id: 'CY-END-101',
    title: 'T',
    applies_to: { products: ['cyber'], jurisdictions: ['ZZ'], effective: { from: '2026-01-01', until: '2025-01-01' } },
    attach: { new: 'yes', renewal: 'copy' },
    bogus: 1,
  };
  const lines = stringifySorted(edition).split('\n');
  const line = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;

  it('places findings of the draft file on their fields by line', () => {
    const findings = [
      { code: 'invalid_value', message: 'The effective window is empty', file: 'documents/CY-END-101.yaml', line: line('"effective"') },
      { code: 'undeclared_code', message: 'ZZ', file: 'documents/CY-END-101.yaml', line: line('"jurisdictions"') },
      { code: 'unknown_field', message: 'bogus', file: 'documents/CY-END-101.yaml', line: line('"bogus"') },
      { code: 'x', message: 'other file', file: 'documents/CY-DEC.yaml', line: 3 },
      { code: 'y', message: 'template', file: 'templates/CY-END-101.md', line: 3 },
      { code: 'z', message: 'no line', file: 'documents/CY-END-101.yaml' },
    ];
    const { placed, unplaced } = placeFindings('CY-END-101', [edition], findings);
    expect(placed.map((p) => [p.edition, p.field, p.pointer])).toEqual([
      [0, 'applies_to.effective', '/applies_to/effective'],
      [0, 'applies_to.jurisdictions', '/applies_to/jurisdictions'],
    ]);
    expect(unplaced.map((f) => f.code)).toEqual(['unknown_field', 'x', 'y', 'z']);
  });

  it('tells editions apart by file name when there are several', () => {
    const e2 = { ...edition, title: 'U', order: 5 };
    const l2 = stringifySorted(e2).split('\n').findIndex((l) => l.includes('"order"')) + 1;
    const { placed, unplaced } = placeFindings('CY-END-101', [edition, e2], [
      { code: 'a', message: '', file: 'documents/CY-END-101-2.yaml', line: l2 },
      { code: 'b', message: '', file: 'documents/CY-END-101.yaml', line: 2 },
      { code: 'c', message: '', file: 'documents/CY-END-101-3.yaml', line: 2 },
    ]);
    expect(placed.map((p) => [p.edition, p.field])).toEqual([[1, 'order']]);
    expect(unplaced.map((f) => f.code)).toEqual(['b', 'c']);
  });

  it('places pointers into the saved body', () => {
    const { placed } = placeFindings('CY-END-101', [edition], [{ code: 'bad', message: '', path: '/0/applies_to/effective/from' }]);
    expect(placed.map((p) => [p.edition, p.field, p.pointer])).toEqual([[0, 'applies_to.effective', '/applies_to/effective/from']]);
  });

  it('does not mistake an id that prefixes another for it', () => {
    const { placed } = placeFindings('CY-END-1', [edition], [{ code: 'a', message: '', file: 'documents/CY-END-101.yaml', line: 2 }]);
    expect(placed).toEqual([]);
  });
});
