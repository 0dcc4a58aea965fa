// The Audit log page's filters. Each is also sent to the server (GET
// /v1/audit?actor=&action=&target=&since=&until=, see serverQuery.ts), which
// matches actor, action and target exactly; the same filters run on the
// entries it returns, so several actions work too (among the loaded entries).
import { AUDIT_ACTIONS, type AuditEntry, type ListAuditQuery } from '../api/client';
import type { FilterDef, FilterState } from './engine';
import { serverQuery } from './serverQuery';

/** Entries per page (the server allows up to 1000). */
export const AUDIT_PAGE_SIZE = 100;

export const auditFilters: FilterDef<AuditEntry>[] = [
  {
    key: 'actor',
    label: 'Actor',
    kind: 'text',
    description: "Exactly this actor: a token's subject, or cli:USER for the command line",
    placeholder: 'subject or cli:USER',
    param: 'actor',
    get: (e) => e.actor,
  },
  { key: 'action', label: 'Action', kind: 'multi', options: AUDIT_ACTIONS, param: 'action', get: (e) => e.action },
  {
    key: 'target',
    label: 'Target',
    kind: 'text',
    description: 'Exactly this target: document:ID, template:PATH, catalog_version:N, job:ID, token:ID or ops_run:ID',
    placeholder: 'e.g. document:CY-DEC',
    param: 'target',
    get: (e) => e.target,
  },
  {
    key: 'time',
    label: 'Time',
    kind: 'timeRange',
    description: 'At or after "from" and before "to" (local time)',
    param: { from: 'since', to: 'until' },
    get: (e) => {
      const ms = Date.parse(e.at);
      return Number.isNaN(ms) ? undefined : ms;
    },
  },
];

/** The query of the newest page matching the filters (one action goes to the server; several are filtered here). */
export function auditQuery(state: FilterState, limit = AUDIT_PAGE_SIZE): ListAuditQuery {
  // The action comes from the URL: the server answers an unknown one with no entries.
  return { limit, ...serverQuery(auditFilters, state) } as ListAuditQuery;
}
