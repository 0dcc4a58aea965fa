import { describe, expect, it } from 'vitest';
import type { Finding, PolicyResult } from '../api/client';
import { carriedCounts, documentsNamed, groupByCode, parseResults, policyParts, splitPolicies } from './validation';

const catalog = { name: 'Acme Cyber', digest: 'sha256:x' };
const finding = (code: string, extra: Partial<Finding> = {}): Finding => ({ code, severity: 'error', message: code, ...extra });
const result = (policy_id: string | null, findings: Finding[]): PolicyResult => ({ policy_id, ok: findings.every((f) => f.severity === 'warning'), catalog, findings });

describe('splitPolicies', () => {
  it('gives one policy a non-blank line, with its line number, as the server counts them', () => {
    const text = '{"policy_id":"A"}\n\n  \r\n{"policy_id":"B"}\r\nnot json\n';
    const policies = splitPolicies(text);
    expect(policies.map((p) => p.line)).toEqual([1, 4, 5]);
    expect(policies[0]?.parsed).toEqual({ ok: true, value: { policy_id: 'A' } });
    expect(policies[1]?.parsed).toEqual({ ok: true, value: { policy_id: 'B' } });
    expect(policies[2]?.parsed.ok).toBe(false);
  });

  it('reads a single pretty-printed policy as one', () => {
    const text = '\n{\n  "policy_id": "P",\n  "documents": []\n}\n';
    const policies = splitPolicies(text);
    expect(policies).toHaveLength(1);
    expect(policies[0]?.line).toBe(2);
    expect(policies[0]?.parsed).toEqual({ ok: true, value: { policy_id: 'P', documents: [] } });
  });

  it('keeps a broken line after the first as its own (invalid) policy', () => {
    const policies = splitPolicies('{"a":1}\n{"b":\n{"c":3}');
    expect(policies).toHaveLength(3);
    expect(policies[1]?.parsed.ok).toBe(false);
  });

  it('gives nothing for blank text', () => {
    expect(splitPolicies('')).toEqual([]);
    expect(splitPolicies('\n \n\t\n')).toEqual([]);
  });
});

describe('parseResults', () => {
  it('reads one result a line and refuses lines that are not results', () => {
    const a = result('A', []);
    expect(parseResults(`${JSON.stringify(a)}\n\n${JSON.stringify(result(null, [finding('invalid_policy')]))}\n`)).toHaveLength(2);
    expect(() => parseResults(`${JSON.stringify(a)}\n{oops`)).toThrow(/Line 2/);
    expect(() => parseResults('{"policy_id":"A"}')).toThrow(/not a policy result/);
  });
});

describe('groupByCode', () => {
  const results = [
    result('POL-1', []),
    result('POL-2', [finding('missing_document', { document: 'CY-END-101' }), finding('missing_document', { document: 'CY-NOT-CA' }), finding('rule_violation', { rule: 'R' })]),
    result('POL-3', [finding('rule_violation', { severity: 'warning', rule: 'W' })]),
    result('POL-4', [finding('missing_document', { document: 'CY-END-205' }), finding('stale_edition')]),
  ];

  it('groups findings by code, most frequent first, with the policies having them in batch order', () => {
    const groups = groupByCode(results);
    expect(groups.map((g) => [g.code, g.count, g.policies])).toEqual([
      ['missing_document', 3, 2],
      ['rule_violation', 2, 2],
      ['stale_edition', 1, 1],
    ]);
    const missing = groups[0]!;
    expect(missing.rows.map((r) => [r.index, r.policyId, r.finding.document, r.nth])).toEqual([
      [1, 'POL-2', 'CY-END-101', 0],
      [1, 'POL-2', 'CY-NOT-CA', 1],
      [3, 'POL-4', 'CY-END-205', 0],
    ]);
    expect(groups[1]).toMatchObject({ errors: 1, warnings: 1 });
  });

  it('counts like the summary findings_by_code', () => {
    const byCode = Object.fromEntries(groupByCode(results).map((g) => [g.code, g.count]));
    expect(byCode).toEqual({ missing_document: 3, rule_violation: 2, stale_edition: 1 });
    expect(groupByCode([])).toEqual([]);
  });
});

describe('documentsNamed', () => {
  it('collects document, a rule\'s documents and a resolution error\'s document, once each', () => {
    expect(
      documentsNamed([
        finding('missing_document', { document: 'A' }),
        finding('rule_violation', { documents: ['B', 'A'] }),
        finding('resolution_error', { details: { code: 'not_eligible', message: 'm', document: 'C' } }),
        finding('invalid_quote', { path: '/product' }),
      ]),
    ).toEqual(['A', 'B', 'C']);
  });
});

describe('policyParts', () => {
  it('finds the quote and the documents whatever the shape', () => {
    expect(policyParts({ quote: { quote_id: 'Q' }, documents: [{ id: 'A', edition: '1' }, { id: 'B' }, 'x', { id: 'A', edition: '1', variables: {} }] })).toEqual({
      quote: { quote_id: 'Q' },
      documents: [
        { id: 'A', edition: '1' },
        { id: 'A', edition: '1' },
      ],
    });
    expect(policyParts([1])).toEqual({ documents: [] });
    expect(policyParts({ quote: [] })).toEqual({ quote: undefined, documents: [] });
    expect(carriedCounts(policyParts({ documents: [{ id: 'A', edition: '1' }, { id: 'A', edition: '1' }, { id: 'A', edition: '2' }] }).documents)).toEqual(
      new Map([
        ['A@1', 2],
        ['A@2', 1],
      ]),
    );
  });
});
