// The Jobs page's filters. status and created are also sent to the server
// (GET /v1/jobs?status=&created_after=&created_before=, see serverQuery.ts);
// the same filters run on the rows it returns, so several statuses work too.
import type { Job, ListJobsQuery } from '../api/client';
import { JOB_STATUSES } from '../api/client';
import type { FilterDef, FilterState } from './engine';
import { serverQuery } from './serverQuery';

export const jobFilters: FilterDef<Job>[] = [
  { key: 'status', label: 'Status', kind: 'multi', options: JOB_STATUSES, param: 'status', get: (j) => j.status },
  {
    key: 'created',
    label: 'Created',
    kind: 'timeRange',
    description: 'Created at or after "from" and before "to" (local time)',
    param: { from: 'created_after', to: 'created_before' },
    get: (j) => {
      const ms = Date.parse(j.created_at);
      return Number.isNaN(ms) ? undefined : ms;
    },
  },
  { key: 'quote', label: 'Quote id', kind: 'text', placeholder: 'quote id', get: (j) => j.quote_id ?? '' },
];

/** The server-side part of the filters: one status goes to the server, several are filtered here. */
export function jobsQuery(state: FilterState, limit = 200): ListJobsQuery {
  // The status comes from the URL: the server refuses one that is not a job status.
  return { limit, ...serverQuery(jobFilters, state) } as ListJobsQuery;
}
