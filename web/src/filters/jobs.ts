// The Jobs page's filters. status and created are also sent to the server
// (GET /v1/jobs?status=&created_after=&created_before=); the same filters
// run on the rows it returns, so several statuses work too.
import { JOB_STATUSES, type Job, type ListJobsQuery } from '../api/client';
import { timeToMs, type FilterDef, type FilterState, type TimeRange } from './engine';

export const jobFilters: FilterDef<Job>[] = [
  { key: 'status', label: 'Status', kind: 'multi', options: JOB_STATUSES, get: (j) => j.status },
  {
    key: 'created',
    label: 'Created',
    kind: 'timeRange',
    description: 'Created at or after "from" and before "to" (local time)',
    get: (j) => {
      const ms = Date.parse(j.created_at);
      return Number.isNaN(ms) ? undefined : ms;
    },
  },
  { key: 'quote', label: 'Quote id', kind: 'text', placeholder: 'quote id', get: (j) => j.quote_id ?? '' },
];

/** The server-side part of the filters: one status goes to the server, several are filtered here. */
export function jobsQuery(state: FilterState, limit = 200): ListJobsQuery {
  const query: ListJobsQuery = { limit };
  const status = state.status;
  if (Array.isArray(status) && status.length === 1) query.status = status[0] as ListJobsQuery['status'];
  const created = state.created as TimeRange | undefined;
  if (created && typeof created === 'object') {
    const after = timeToMs(created.from);
    const before = timeToMs(created.to);
    if (after !== undefined) query.created_after = after;
    if (before !== undefined) query.created_before = before;
  }
  return query;
}
