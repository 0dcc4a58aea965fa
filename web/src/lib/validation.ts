// Pure helpers of the Validator page: JSON Lines of policies split the way
// the server splits them (SPEC §7, src/validate/batch.cc), batch results
// parsed and grouped by finding code, and what a policy names.
import type { Finding, PolicyResult } from '../api/client';
import { parseJson, type JsonParse } from './json';

export interface PolicyLine {
  /** 1-based line of the text where the policy starts. */
  line: number;
  text: string;
  parsed: JsonParse;
}

const blank = (line: string) => /^[ \t\r]*$/.test(line);

/**
 * The policies of a JSON Lines text, one a non-blank line, in order: the
 * n-th is the one the n-th result of the batch is about. As on the server, a
 * first non-blank line that is the beginning of JSON continuing on later
 * lines makes the rest of the text one policy (a single pretty-printed object).
 */
export function splitPolicies(text: string): PolicyLine[] {
  const lines = text.split('\n');
  const out: PolicyLine[] = [];
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    if (blank(raw)) continue;
    const parsed = parseJson(raw);
    if (out.length === 0 && !parsed.ok && parsed.error.incomplete) {
      const rest = lines.slice(n).join('\n');
      out.push({ line: n + 1, text: rest, parsed: parseJson(rest) });
      break;
    }
    out.push({ line: n + 1, text: raw, parsed });
  }
  return out;
}

/** The results file of a batch (JSON Lines, one PolicyResult a line). Throws on a line that is not a result. */
export function parseResults(text: string): PolicyResult[] {
  const out: PolicyResult[] = [];
  text.split('\n').forEach((line, n) => {
    if (blank(line)) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`Line ${n + 1} of the results is not JSON.`);
    }
    if (typeof value !== 'object' || value === null || !Array.isArray((value as PolicyResult).findings)) {
      throw new Error(`Line ${n + 1} of the results is not a policy result.`);
    }
    out.push(value as PolicyResult);
  });
  return out;
}

export interface FindingRow {
  /** 0-based index of the policy in the batch (its result's line among the results). */
  index: number;
  policyId: string | null;
  finding: Finding;
  /** 0-based index of the finding among the policy's findings. */
  nth: number;
}

export interface FindingGroup {
  code: string;
  /** Findings with this code (as the summary's findings_by_code counts them). */
  count: number;
  /** Policies having at least one. */
  policies: number;
  errors: number;
  warnings: number;
  rows: FindingRow[];
}

/** Findings grouped by code: most frequent first (ties by code), rows in batch order. */
export function groupByCode(results: readonly PolicyResult[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  const seen = new Map<string, Set<number>>();
  results.forEach((result, index) => {
    result.findings.forEach((finding, nth) => {
      let g = groups.get(finding.code);
      let policies = seen.get(finding.code);
      if (!g || !policies) {
        g = { code: finding.code, count: 0, policies: 0, errors: 0, warnings: 0, rows: [] };
        policies = new Set();
        groups.set(finding.code, g);
        seen.set(finding.code, policies);
      }
      g.count++;
      if (finding.severity === 'warning') g.warnings++;
      else g.errors++;
      if (!policies.has(index)) {
        policies.add(index);
        g.policies++;
      }
      g.rows.push({ index, policyId: result.policy_id, finding, nth });
    });
  });
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** The document ids the findings name (`document`, a rule's `documents`, a resolution error's), first mention first. */
export function documentsNamed(findings: readonly Finding[]): string[] {
  const ids = new Set<string>();
  for (const f of findings) {
    if (f.document) ids.add(f.document);
    for (const d of f.documents ?? []) ids.add(d);
    if (f.details?.document) ids.add(f.details.document);
  }
  return [...ids];
}

export interface PolicyParts {
  quote?: unknown;
  /** The documents the policy carries, as far as they are {id, edition}. */
  documents: { id: string; edition: string }[];
}

/** The quote and the documents of a parsed policy, whatever shape it has. */
export function policyParts(policy: unknown): PolicyParts {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return { documents: [] };
  const p = policy as Record<string, unknown>;
  const documents: PolicyParts['documents'] = [];
  if (Array.isArray(p.documents)) {
    for (const d of p.documents as unknown[]) {
      if (typeof d !== 'object' || d === null) continue;
      const { id, edition } = d as Record<string, unknown>;
      if (typeof id === 'string' && typeof edition === 'string') documents.push({ id, edition });
    }
  }
  const quote = typeof p.quote === 'object' && p.quote !== null && !Array.isArray(p.quote) ? p.quote : undefined;
  return { quote, documents };
}

/** How many instances of each `id@edition` the policy carries. */
export function carriedCounts(documents: PolicyParts['documents']): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of documents) counts.set(`${d.id}@${d.edition}`, (counts.get(`${d.id}@${d.edition}`) ?? 0) + 1);
  return counts;
}
