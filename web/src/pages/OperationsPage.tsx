// Registered operations (admin): one-off maintenance through docgen. The form
// of an operation (OperationForm.tsx: dry run first, then run), and the runs,
// newest first, with the selected one (`?run=ID`, OpRunDetails.tsx) showing
// its parameters, plan, outcomes and error, followed while it runs.
import { useCallback, useMemo } from 'react';
import type { OpRun } from '../api/client';
import { useAuth } from '../auth';
import { Actor } from '../components/Actor';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { ListHeading } from '../components/ListHeading';
import { FilterBar } from '../components/FilterBar';
import { ListWithDetails } from '../components/ListWithDetails';
import { isActive, StatusBadge } from '../components/StatusBadge';
import { applyFilters, prepare } from '../filters/engine';
import { OP_RUNS_LIMIT, opRunFilters } from '../filters/operations';
import { formatTime } from '../lib/format';
import { POLL_MS, useAsync, usePolling } from '../lib/hooks';
import { stepsText } from '../lib/operations';
import { useSelectedParam } from '../lib/router';
import { useFilterState } from '../lib/useFilterState';
import { OperationForm } from './OperationForm';
import { OpRunDetails } from './OpRunDetails';

const columns: Column<OpRun>[] = [
  { key: 'created', header: 'Created', render: (r) => <time dateTime={r.created_at}>{formatTime(r.created_at)}</time>, sortValue: (r) => Date.parse(r.created_at) || 0 },
  { key: 'id', header: 'Run', render: (r) => <code className="small">{r.id}</code>, className: 'ops-id' },
  { key: 'operation', header: 'Operation', render: (r) => <code>{r.operation}</code>, sortValue: (r) => r.operation },
  // Not sortable: its header would be a second button named "Dry run".
  { key: 'dry_run', header: 'Dry run?', render: (r) => (r.dry_run ? 'yes' : 'no') },
  { key: 'actor', header: 'Actor', render: (r) => <Actor actor={r.actor} role={r.role} />, sortValue: (r) => r.actor },
  { key: 'reason', header: 'Reason', render: (r) => r.reason, className: 'text-break' },
  { key: 'status', header: 'Status', render: (r) => <StatusBadge status={r.status} />, sortValue: (r) => r.status },
  { key: 'steps', header: 'Steps', render: stepsText, className: 'text-end text-nowrap' },
];

export function OperationsPage() {
  const { client } = useAuth();
  const operations = useAsync((signal) => client.operations(signal), [client]);
  const runs = useAsync((signal) => client.listOpRuns(OP_RUNS_LIMIT, signal), [client]);
  const rows = runs.data?.runs;
  usePolling(runs.reload, POLL_MS, rows?.some((r) => isActive(r.status)) ?? false);
  const [state, setState] = useFilterState(opRunFilters);
  const prepared = useMemo(() => prepare(opRunFilters, rows ?? []), [rows]);
  const result = useMemo(() => applyFilters(prepared, state), [prepared, state]);
  const [selected, toggle, deselect] = useSelectedParam('run');
  const reloadRuns = runs.reload;

  const onQueued = useCallback(
    (run: OpRun) => {
      reloadRuns();
      if (selected !== run.id) toggle(run.id);
    },
    [reloadRuns, selected, toggle],
  );

  return (
    <div>
      <h1 className="h3">Operations</h1>
      <p className="text-body-secondary small">
        One-off maintenance done through docgen: each run is kept with its reason and audited (<code>ops.run</code>, <code>ops.dry_run</code>).
      </p>
      <ErrorPanel error={operations.error} title="Loading the operations" onRetry={operations.reload} />
      {operations.loading && !operations.data && <p aria-busy="true">Loading the operations…</p>}
      {operations.data && <OperationForm operations={operations.data.operations} onDryRun={reloadRuns} onQueued={onQueued} />}
      <section aria-labelledby="op-runs-heading">
        <ListHeading id="op-runs-heading" title="Runs" loading={runs.loading} onRefresh={reloadRuns} />
        <p className="text-body-secondary small">
          Newest first, the last {OP_RUNS_LIMIT}; refreshed every {POLL_MS / 1000} s while one is queued or running. Select one for its parameters, plan
          and outcomes.
        </p>
        <ErrorPanel error={runs.error} title="Loading the runs" onRetry={reloadRuns} />
        <ListWithDetails
          list={
            <>
              <FilterBar prepared={prepared} result={result} state={state} onChange={setState} noun="runs" />
              {rows && (
                <DataTable
                  caption="Operation runs"
                  columns={columns}
                  rows={result.rows}
                  rowKey={(r) => r.id}
                  selectedKey={selected}
                  onSelect={(r) => toggle(r.id)}
                  empty="No run matches."
                />
              )}
            </>
          }
          details={selected ? <OpRunDetails key={selected} id={selected} onChanged={reloadRuns} /> : null}
          onClose={deselect}
        />
      </section>
    </div>
  );
}
