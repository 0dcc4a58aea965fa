// Test runs (SPEC §8): every document variant rendered and compared with its
// approved golden pages. Admins start a run of the current catalog or of the
// drafts (before publishing them); everyone sees the runs, newest first, and
// the selected one (`?run=ID`, TestRunDetails.tsx) with its variants and pictures.
import { useState } from 'react';
import type { TestRun } from '../api/client';
import { isAdmin, useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { ListHeading } from '../components/ListHeading';
import { ListWithDetails } from '../components/ListWithDetails';
import { Progress } from '../components/Progress';
import { isActive, StatusBadge } from '../components/StatusBadge';
import { formatTime } from '../lib/format';
import { POLL_MS, useAsync, usePolling } from '../lib/hooks';
import { useSelectedParam } from '../lib/router';
import { countsText, TRIGGER_TEXT } from '../lib/testRuns';
import { TestRunDetails } from './TestRunDetails';

const columns: Column<TestRun>[] = [
  { key: 'created', header: 'Created', render: (r) => <time dateTime={r.created_at}>{formatTime(r.created_at)}</time>, sortValue: (r) => Date.parse(r.created_at) || 0 },
  { key: 'trigger', header: 'Trigger', render: (r) => TRIGGER_TEXT[r.trigger], sortValue: (r) => r.trigger },
  { key: 'version', header: 'Catalog', render: (r) => `v${r.catalog_version}`, sortValue: (r) => r.catalog_version, className: 'text-nowrap' },
  { key: 'status', header: 'Status', render: (r) => <StatusBadge status={r.status} outcome={r.outcome} />, sortValue: (r) => r.status },
  {
    key: 'progress',
    header: 'Variants',
    render: (r) => <Progress done={r.progress.variants_done} total={r.progress.variants_total} label={`Variants of ${r.id} done`} />,
  },
  { key: 'counts', header: 'Found', render: (r) => countsText(r.counts), className: 'text-break' },
];

export function TestRunsPage() {
  const { client, role } = useAuth();
  const runs = useAsync((signal) => client.listTestRuns(signal), [client]);
  const rows = runs.data?.test_runs;
  usePolling(runs.reload, POLL_MS, rows?.some((r) => isActive(r.status)) ?? false);
  const [selected, toggle, deselect] = useSelectedParam('run');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<unknown>(null);

  const start = async (drafts: boolean) => {
    setStarting(true);
    setStartError(null);
    try {
      const run = await client.startTestRun(drafts);
      runs.reload();
      if (selected !== run.id) toggle(run.id);
    } catch (e) {
      setStartError(e);
    } finally {
      setStarting(false);
    }
  };

  return (
    <div>
      <h1 className="h3">Test runs</h1>
      <p className="text-body-secondary small">
        Every variant of every document (each product, jurisdiction and sample it applies to) rendered alone and compared page by page with its
        approved golden. Approving a run makes its pages the goldens.
      </p>
      {isAdmin(role) && (
        <div className="d-flex gap-2 mb-3">
          <button type="button" className="btn btn-primary" disabled={starting} onClick={() => void start(false)}>
            Run the tests
          </button>
          <button type="button" className="btn btn-outline-primary" disabled={starting} onClick={() => void start(true)}>
            Test the drafts
          </button>
        </div>
      )}
      <ErrorPanel error={startError} title="Starting a test run" />
      <section aria-labelledby="test-runs-heading">
        <ListHeading id="test-runs-heading" title="Runs" loading={runs.loading} onRefresh={runs.reload} />
        <p className="text-body-secondary small">Newest first; refreshed every {POLL_MS / 1000} s while one is queued or running. Select one for its variants.</p>
        <ErrorPanel error={runs.error} title="Loading the test runs" onRetry={runs.reload} />
        <ListWithDetails
          list={
            rows && (
              <DataTable
                caption="Test runs"
                columns={columns}
                rows={rows}
                rowKey={(r) => r.id}
                selectedKey={selected}
                onSelect={(r) => toggle(r.id)}
                empty="No test run yet."
              />
            )
          }
          details={selected ? <TestRunDetails key={selected} id={selected} onChanged={runs.reload} /> : null}
          onClose={deselect}
        />
      </section>
    </div>
  );
}
