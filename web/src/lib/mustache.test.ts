import { describe, expect, it } from 'vitest';
import { classifyTag, completeTag, mustacheTags, openSections, tagContext, templateNames, varNames } from './mustache';

describe('Mustache tags', () => {
  it('classifies tags', () => {
    expect(classifyTag('{{ vars.x }}')).toEqual({ kind: 'variable', name: 'vars.x' });
    expect(classifyTag('{{#money}}')).toEqual({ kind: 'section', name: 'money' });
    expect(classifyTag('{{^ list }}')).toEqual({ kind: 'inverted', name: 'list' });
    expect(classifyTag('{{/money}}')).toEqual({ kind: 'close', name: 'money' });
    expect(classifyTag('{{{md}}}')).toEqual({ kind: 'unescaped', name: 'md' });
    expect(classifyTag('{{&md}}')).toEqual({ kind: 'unescaped', name: 'md' });
    expect(classifyTag('{{! note }}')).toEqual({ kind: 'comment', name: '' });
    expect(classifyTag('{{> part}}')).toEqual({ kind: 'partial', name: 'part' });
  });
  it('finds every tag with its place', () => {
    const text = '# {{doc.title}}\n{{#money}}{{limit}}{{/money}} {{{x}}} {{! a\nb }} {not}';
    const tags = mustacheTags(text);
    expect(tags.map((t) => [t.kind, t.name, text.slice(t.from, t.to)])).toEqual([
      ['variable', 'doc.title', '{{doc.title}}'],
      ['section', 'money', '{{#money}}'],
      ['variable', 'limit', '{{limit}}'],
      ['close', 'money', '{{/money}}'],
      ['unescaped', 'x', '{{{x}}}'],
      ['comment', '', '{{! a\nb }}'],
    ]);
  });
  it('tracks open sections', () => {
    expect(openSections('{{#a}}{{#b}}{{/b}}{{^c}}')).toEqual(['a', 'c']);
    expect(openSections('{{#a}}{{#b}}{{/a}}')).toEqual([]);
  });
});

describe('completion', () => {
  it('knows when the cursor is in a tag being typed', () => {
    expect(tagContext('Dear {{vars.na')).toEqual({ from: 7, prefix: 'vars.na', sigil: '' });
    expect(tagContext('x\n{{# quote.cov')).toEqual({ from: 6, prefix: 'quote.cov', sigil: '#' });
    expect(tagContext('{{{')).toEqual({ from: 3, prefix: '', sigil: '{' });
    expect(tagContext('{{/')).toEqual({ from: 3, prefix: '', sigil: '/' });
    expect(tagContext('{{x}} y')).toBeNull();
    expect(tagContext('{{! comm')).toBeNull();
    expect(tagContext('{{\nvars')).toBeNull();
    expect(tagContext('{{a b')).toBeNull();
    expect(tagContext('no tag')).toBeNull();
  });
  it('offers vars.X from the schema, doc.*, and the quote fields', () => {
    const schema = { type: 'object', properties: { sublimit: { type: 'integer', title: 'Sublimit' }, addr: { type: 'object', properties: { city: { type: 'string' } } } } };
    expect(varNames(schema).map((n) => [n.label, n.detail])).toEqual([
      ['vars.sublimit', 'integer · Sublimit'],
      ['vars.addr', 'object'],
      ['vars.addr.city', 'string'],
    ]);
    const names = templateNames(schema, { insured: { name: 'A' }, coverages: [] });
    const labels = names.map((n) => n.label);
    expect(labels).toEqual(expect.arrayContaining(['vars.sublimit', 'doc.id', 'doc.title', 'doc.edition', 'doc.kind', 'doc.instance', 'quote.', 'quote.insured.name', 'quote.coverages']));
    expect(new Set(labels).size).toBe(labels.length);
    expect(templateNames(undefined).some((n) => n.label.startsWith('vars.'))).toBe(false);
    const opts = completeTag({ from: 0, prefix: 'vars.s', sigil: '' }, names);
    expect(opts.map((o) => o.label)).toEqual(['vars.sublimit']);
    expect(completeTag({ from: 0, prefix: 'DOC.T', sigil: '' }, names).map((o) => o.label)).toEqual(['doc.title']);
  });
  it('offers the innermost open section first in a closing tag', () => {
    const names = templateNames(undefined);
    const opts = completeTag({ from: 0, prefix: '', sigil: '/' }, names, ['quote.coverages', 'money']);
    expect(opts.slice(0, 2).map((o) => o.label)).toEqual(['money', 'quote.coverages']);
  });
});
