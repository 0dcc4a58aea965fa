import { describe, expect, it } from 'vitest';
import { parseSeq, parseTarget, targetLink, verificationSummary } from './audit';

describe('audit targets', () => {
  it('split at the first colon only', () => {
    expect(parseTarget('template:templates/a:b.md')).toEqual({ kind: 'template', id: 'templates/a:b.md' });
    expect(parseTarget('no-colon')).toBeNull();
    expect(parseTarget(':x')).toBeNull();
    expect(parseTarget('job:')).toBeNull();
  });

  it('link a job to its details on the jobs page', () => {
    expect(targetLink('job:job_01J9ABC')).toEqual({ to: 'jobs?job=job_01J9ABC', label: 'Job job_01J9ABC on the jobs page' });
    expect(targetLink('job:a b&c')?.to).toBe('jobs?job=a+b%26c');
  });

  it('link a document to the document editor', () => {
    expect(targetLink('document:CY-DEC')).toEqual({ to: 'documents/CY-DEC/edit', label: 'Document CY-DEC in the document editor' });
  });

  it('link a catalog version to the versions page', () => {
    expect(targetLink('catalog_version:3')).toEqual({ to: 'versions?v=3', label: 'Catalog version 3 on the versions page' });
    expect(targetLink('catalog_version:x')).toBeNull();
  });

  it('link an operation run to its details on the operations page', () => {
    expect(targetLink('ops_run:op_0123456789abcdef01234567')).toEqual({
      to: 'operations?run=op_0123456789abcdef01234567',
      label: 'Operation run op_0123456789abcdef01234567 on the operations page',
    });
  });

  it('do not link templates, tokens or anything else', () => {
    expect(targetLink('template:templates/x.md')).toBeNull();
    expect(targetLink('token:0123456789ab')).toBeNull();
    expect(targetLink('whatever')).toBeNull();
  });
});

describe('the chain verification in words', () => {
  const head = `sha256:${'a'.repeat(64)}`;

  it('names the entries and the head of an intact chain', () => {
    expect(verificationSummary({ valid: true, entries: 12, head })).toEqual({ valid: true, headline: `Chain intact: 12 entries, head ${head}`, detail: '' });
    expect(verificationSummary({ valid: true, entries: 1, head }).headline).toBe(`Chain intact: 1 entry, head ${head}`);
    expect(verificationSummary({ valid: true, entries: 0, head: '' }).headline).toBe('Chain intact: 0 entries (the log is empty)');
  });

  it('says how much of a broken chain is still intact', () => {
    const broken = verificationSummary({ valid: false, entries: 2, head, problem: 'entry 3 was changed' });
    expect(broken).toEqual({ valid: false, headline: 'Chain broken', detail: `The first 2 entries follow one another; the last intact one has hash ${head}.` });
    expect(verificationSummary({ valid: false, entries: 0, head: '' }).detail).toBe('Not even the first entry is intact.');
  });
});

describe('the selected entry', () => {
  it('is a positive whole number', () => {
    expect(parseSeq('42')).toBe(42);
    expect(parseSeq(null)).toBeNull();
    expect(parseSeq('0')).toBeNull();
    expect(parseSeq('-1')).toBeNull();
    expect(parseSeq('4.2')).toBeNull();
    expect(parseSeq('x')).toBeNull();
  });
});
