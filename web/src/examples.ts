// The examples of examples/, bundled at build time: the example quotes, the
// example policies built from them, and the validator's example batch.
import type { Policy } from './api/client';
import { splitPolicies } from './lib/validation';

const files = import.meta.glob('../../examples/quotes/*.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;
const expectedFiles = import.meta.glob('../../examples/expected/*.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;
const validateFiles = import.meta.glob('../../examples/validate/policies.jsonl', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

const baseName = (path: string) => path.replace(/^.*\//, '').replace(/\.json$/, '');

export const exampleQuotes: { name: string; text: string }[] = Object.entries(files)
  .map(([path, text]) => ({ name: baseName(path), text }))
  .sort((a, b) => a.name.localeCompare(b.name));

export interface ExamplePolicy {
  /** Shown in the picker, kept in the URL. */
  name: string;
  /** Where it comes from, for the picker's groups. */
  source: 'quote' | 'batch';
  /** The policy as JSON text for the editor. */
  text: string;
}

/**
 * A policy issued from a quote: the quote and the documents of its package
 * as `expected/NAME.json` gives them. Null when that package is invalid or
 * lists no documents (there is no policy to issue).
 */
export function policyFromQuote(name: string, quoteText: string, expectedText: string): Policy | null {
  const quote = JSON.parse(quoteText) as Record<string, unknown>;
  const expected = JSON.parse(expectedText) as { valid?: boolean; documents?: { id: string; edition: string; variables?: Record<string, unknown> }[] };
  if (!expected.valid || !Array.isArray(expected.documents)) return null;
  return {
    policy_id: `POL-${name}`,
    quote,
    documents: expected.documents.map((d) => ({ id: d.id, edition: d.edition, variables: d.variables ?? {} })),
  };
}

const expectedByName = new Map(Object.entries(expectedFiles).map(([path, text]) => [baseName(path), text]));

/** Policies built from the example quotes whose expected package is valid: each validates without findings. */
export const quotePolicies: ExamplePolicy[] = exampleQuotes.flatMap((q) => {
  const expected = expectedByName.get(q.name);
  const policy = expected === undefined ? null : policyFromQuote(q.name, q.text, expected);
  return policy ? [{ name: q.name, source: 'quote' as const, text: `${JSON.stringify(policy, null, 2)}\n` }] : [];
});

/** examples/validate/policies.jsonl as it is: the example batch. */
export const exampleBatch: { name: string; text: string } | null = (() => {
  const entry = Object.entries(validateFiles)[0];
  return entry ? { name: entry[0].replace(/^.*\//, ''), text: entry[1] } : null;
})();

/** Each policy of the example batch, named by its policy_id (or its line), pretty-printed when it is JSON. */
export const batchPolicies: ExamplePolicy[] = (exampleBatch ? splitPolicies(exampleBatch.text) : []).map((p) => {
  const id = p.parsed.ok && typeof p.parsed.value === 'object' && p.parsed.value !== null ? (p.parsed.value as { policy_id?: unknown }).policy_id : undefined;
  return {
    name: typeof id === 'string' && id ? id : `line ${p.line}`,
    source: 'batch' as const,
    text: p.parsed.ok ? `${JSON.stringify(p.parsed.value, null, 2)}\n` : p.text,
  };
});

export const examplePolicies: ExamplePolicy[] = [...quotePolicies, ...batchPolicies];

/** The policy the Validator page starts with. */
export const defaultExamplePolicy: ExamplePolicy | undefined = quotePolicies.find((p) => p.name === 'new-ca-basic') ?? examplePolicies[0];
