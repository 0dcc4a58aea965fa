import { describe, expect, it } from 'vitest';
import { sampleVars } from './sampleVars';

describe('sampleVars', () => {
  it('takes defaults, then examples', () => {
    const schema = {
      type: 'object',
      required: ['sublimit'],
      properties: {
        sublimit: { type: 'integer', minimum: 0, examples: [250000] },
        retention: { type: 'integer', default: 100000 },
        note: { type: 'string' },
      },
    };
    expect(sampleVars(schema)).toEqual({ sublimit: 250000, retention: 100000 });
  });

  it('gives required properties without a sample a placeholder of their type', () => {
    const schema = {
      type: 'object',
      required: ['name', 'amount', 'kind', 'nested'],
      properties: {
        name: { type: 'string' },
        amount: { type: 'number', minimum: 5 },
        kind: { enum: ['a', 'b'] },
        nested: { type: 'object', required: ['flag'], properties: { flag: { type: 'boolean' } } },
      },
    };
    expect(sampleVars(schema)).toEqual({ name: 'sample', amount: 5, kind: 'a', nested: { flag: false } });
  });

  it('is empty without a schema', () => {
    expect(sampleVars(undefined)).toEqual({});
    expect(sampleVars({ type: 'object' })).toEqual({});
  });
});
