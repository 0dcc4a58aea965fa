// Pure helpers of the Audit log page: where an entry's target can be seen in
// the UI, the chain's verification in words, the entry selected in the URL.
import type { AuditVerification } from '../api/client';

export interface TargetLink {
  /** A route for Link (relative to /ui/). */
  to: string;
  /** What the link opens, for its accessible name. */
  label: string;
}

/** `kind:ID` → its kind and id (the id may contain colons: only the first one separates). */
export function parseTarget(target: string): { kind: string; id: string } | null {
  const colon = target.indexOf(':');
  if (colon <= 0 || colon === target.length - 1) return null;
  return { kind: target.slice(0, colon), id: target.slice(colon + 1) };
}

/**
 * The page showing an entry's target: a job on the Jobs page (`jobs?job=ID`),
 * a document in the document editor (`documents/ID/edit`), a catalog version
 * on the Versions page (`versions?v=N`), an operation run on the Operations
 * page (`operations?run=ID`); null for targets the UI has no page
 * for (templates, tokens) and for anything malformed.
 */
export function targetLink(target: string): TargetLink | null {
  const parsed = parseTarget(target);
  if (!parsed) return null;
  const { kind, id } = parsed;
  switch (kind) {
    case 'job':
      return { to: `jobs?${new URLSearchParams({ job: id }).toString()}`, label: `Job ${id} on the jobs page` };
    case 'document':
      return { to: `documents/${encodeURIComponent(id)}/edit`, label: `Document ${id} in the document editor` };
    case 'catalog_version':
      return /^[1-9][0-9]*$/.test(id) ? { to: `versions?v=${id}`, label: `Catalog version ${id} on the versions page` } : null;
    case 'ops_run':
      return { to: `operations?${new URLSearchParams({ run: id }).toString()}`, label: `Operation run ${id} on the operations page` };
    default:
      return null;
  }
}

const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;

/** The verdict of GET /v1/audit:verify in words: the headline, and for a broken chain what is still intact. */
export function verificationSummary(v: AuditVerification): { valid: boolean; headline: string; detail: string } {
  if (v.valid) {
    return {
      valid: true,
      headline: `Chain intact: ${entries(v.entries)}${v.head ? `, head ${v.head}` : ' (the log is empty)'}`,
      detail: '',
    };
  }
  return {
    valid: false,
    headline: 'Chain broken',
    detail:
      v.entries > 0
        ? `The first ${entries(v.entries)} follow one another; the last intact one has hash ${v.head}.`
        : 'Not even the first entry is intact.',
  };
}

/** The entry selected in the query (`?entry=SEQ`) as a number: a positive whole number, else null. */
export function parseSeq(value: string | null): number | null {
  if (!value || !/^[1-9][0-9]{0,14}$/.test(value)) return null;
  return Number(value);
}
