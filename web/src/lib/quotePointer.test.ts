import { describe, expect, it } from 'vitest';
import { quotePointer, valueAt } from './quotePointer';

const quote = {
  jurisdiction: 'ZZ',
  documents: { add: [{ id: 'CY-END-205', variables: { name: '' } }, { id: 'CY-END-101' }], variables: { 'CY-END-300': { sublimit: -1 } } },
  prior: { documents: [{ id: 'CY-END-101', variables: { sublimit: 'x' } }] },
};

describe('quotePointer', () => {
  it('reads values at pointers', () => {
    expect(valueAt(quote, '/documents/add/0/id')).toBe('CY-END-205');
    expect(valueAt(quote, '/documents/add/9')).toBeUndefined();
    expect(valueAt(quote, '/jurisdiction/x')).toBeUndefined();
  });
  it('keeps pointers into the quote', () => {
    expect(quotePointer({ code: 'unknown_jurisdiction', message: '', path: '/jurisdiction' }, quote)).toBe('/jurisdiction');
    expect(quotePointer({ code: 'missing_prior', message: '', path: '/prior' }, {})).toBe('/prior');
    expect(quotePointer({ code: 'x', message: '' }, quote)).toBeNull();
    expect(quotePointer({ code: 'x', message: '', path: 'nope' }, quote)).toBeNull();
  });
  it('finds where the quote sets an invalid variable', () => {
    expect(quotePointer({ code: 'invalid_variables', message: '', path: '/sublimit', document: 'CY-END-300' }, quote)).toBe('/documents/variables/CY-END-300/sublimit');
    expect(quotePointer({ code: 'invalid_variables', message: '', path: '/name', document: 'CY-END-205' }, quote)).toBe('/documents/add/0/variables/name');
    expect(quotePointer({ code: 'invalid_variables', message: '', path: '/sublimit', document: 'CY-END-101' }, quote)).toBe('/prior/documents/0/variables/sublimit');
  });
  it('falls back to the variables object, or to nothing when the variables are all defaults', () => {
    expect(quotePointer({ code: 'invalid_variables', message: '', path: '/other', document: 'CY-END-300' }, quote)).toBe('/documents/variables/CY-END-300');
    expect(quotePointer({ code: 'invalid_variables', message: '', path: '/sublimit', document: 'CY-END-999' }, quote)).toBeNull();
  });
});
