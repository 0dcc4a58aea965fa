// The Operations page's filters of the runs list (GET /v1/ops/runs has no
// filters of its own: these run on the runs it returns).
import { OP_RUN_STATUSES, type OpRun } from '../api/client';
import type { FilterDef } from './engine';

/** The runs listed (the server allows up to 1000). */
export const OP_RUNS_LIMIT = 100;

export const opRunFilters: FilterDef<OpRun>[] = [
  { key: 'operation', label: 'Operation', kind: 'multi', get: (r) => r.operation },
  { key: 'status', label: 'Status', kind: 'multi', options: OP_RUN_STATUSES, get: (r) => r.status },
  { key: 'dry_run', label: 'Dry run', kind: 'boolean', description: 'Dry runs plan and change nothing', get: (r) => r.dry_run },
  { key: 'actor', label: 'Actor', kind: 'text', placeholder: 'subject', get: (r) => r.actor },
];
