import { describe, expect, it } from 'vitest';
import { batchPolicies, defaultExamplePolicy, exampleBatch, examplePolicies, exampleQuotes, policyFromQuote, quotePolicies } from './examples';
import { parseJson } from './lib/json';

// The shape SPEC §7 asks of a policy (what the validator reports as invalid_policy otherwise).
function wellFormed(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const p = value as Record<string, unknown>;
  if (typeof p.quote !== 'object' || p.quote === null || Array.isArray(p.quote)) return false;
  if (!Array.isArray(p.documents)) return false;
  return p.documents.every((d: unknown) => {
    if (typeof d !== 'object' || d === null) return false;
    const { id, edition, variables } = d as Record<string, unknown>;
    return typeof id === 'string' && typeof edition === 'string' && (variables === undefined || (typeof variables === 'object' && variables !== null && !Array.isArray(variables)));
  });
}

describe('example policies', () => {
  it('start with a well-formed policy issued from new-ca-basic: its quote and the documents of its package', () => {
    expect(defaultExamplePolicy?.name).toBe('new-ca-basic');
    const parsed = parseJson(defaultExamplePolicy!.text);
    expect(parsed.ok).toBe(true);
    const policy = parsed.ok ? (parsed.value as { policy_id: string; quote: unknown; documents: { id: string }[] }) : null;
    expect(wellFormed(policy)).toBe(true);
    expect(policy?.policy_id).toBe('POL-new-ca-basic');
    expect(policy?.quote).toEqual(JSON.parse(exampleQuotes.find((q) => q.name === 'new-ca-basic')!.text));
    expect(policy?.documents.map((d) => d.id)).toEqual(['CY-DEC', 'CY-FORM-100', 'CY-END-101', 'CY-END-340', 'CY-NOT-CA']);
  });

  it('are well formed when built from a valid package, and absent for an invalid one', () => {
    expect(quotePolicies.length).toBeGreaterThan(0);
    for (const p of quotePolicies) {
      const parsed = parseJson(p.text);
      expect(parsed.ok && wellFormed(parsed.value), p.name).toBe(true);
    }
    expect(policyFromQuote('x', '{"quote_id":"Q"}', '{"valid": false, "errors": [{"code": "invalid_quote"}]}')).toBeNull();
  });

  it('include every policy of examples/validate/policies.jsonl under its policy_id', () => {
    expect(exampleBatch?.name).toBe('policies.jsonl');
    expect(batchPolicies).toHaveLength(12);
    expect(batchPolicies[1]?.name).toBe('POL-1002');
    const names = examplePolicies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
