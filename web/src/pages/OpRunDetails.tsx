// One run of an operation (GET /v1/ops/runs/{id}): who ran it and why, its
// parameters, progress, plan, outcomes and error; refreshed while it is
// queued or running.
import type { OpRun } from '../api/client';
import { useAuth } from '../auth';
import { Actor } from '../components/Actor';
import { BoundedList } from '../components/BoundedList';
import { ErrorPanel } from '../components/ErrorPanel';
import { Progress } from '../components/Progress';
import { isActive, StatusBadge } from '../components/StatusBadge';
import { formatTime } from '../lib/format';
import { POLL_MS, useAsync, useOnChange, usePolling } from '../lib/hooks';
import { outcomesHeadline, planCaption } from '../lib/operations';

function Fields({ run }: { run: OpRun }) {
  const params = Object.keys(run.params).length > 0 ? JSON.stringify(run.params, null, 2) : null;
  return (
    <dl className="row small mb-2">
      <dt className="col-4">Operation</dt>
      <dd className="col-8">
        <code>{run.operation}</code>
      </dd>
      <dt className="col-4">Dry run</dt>
      <dd className="col-8">{run.dry_run ? 'yes: planned only, nothing changed' : 'no'}</dd>
      <dt className="col-4">Actor</dt>
      <dd className="col-8">
        <Actor actor={run.actor} role={run.role} />
      </dd>
      <dt className="col-4">Reason</dt>
      <dd className="col-8 text-break">{run.reason}</dd>
      <dt className="col-4">Created</dt>
      <dd className="col-8">
        <time dateTime={run.created_at}>{formatTime(run.created_at)}</time>
      </dd>
      {run.finished_at && (
        <>
          <dt className="col-4">Finished</dt>
          <dd className="col-8">
            <time dateTime={run.finished_at}>{formatTime(run.finished_at)}</time>
          </dd>
        </>
      )}
      <dt className="col-4">{run.dry_run ? 'Steps' : 'Progress'}</dt>
      <dd className="col-8">
        {run.dry_run ? (
          `${run.steps} planned`
        ) : (
          <Progress done={run.steps_done} total={run.steps} label={`Progress of ${run.id}: ${run.steps_done} of ${run.steps} steps`} />
        )}
      </dd>
      <dt className="col-4">Parameters</dt>
      <dd className="col-8">{params ? <pre className="small bg-body-tertiary p-2 rounded mb-0">{params}</pre> : <em>none</em>}</dd>
    </dl>
  );
}

/** The run `id`; `onChanged` when its status changes (the list shows it too). */
export function OpRunDetails({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { client } = useAuth();
  const loaded = useAsync((signal) => client.opRun(id, signal), [client, id]);
  const run = loaded.data;
  usePolling(loaded.reload, POLL_MS, !!run && isActive(run.status));
  useOnChange(run?.status, onChanged);

  return (
    <section className="card" aria-label={`Operation run ${id}`}>
      <div className="card-body">
        <h3 className="h5 card-title text-break">
          Run <code>{id}</code> {run && <StatusBadge status={run.status} />}
        </h3>
        <ErrorPanel error={loaded.error} title="Loading the run" onRetry={loaded.reload} />
        {!run && loaded.loading && <p aria-busy="true">Loading…</p>}
        {run && (
          <>
            {run.status !== 'succeeded' && run.status !== 'failed' && (
              <p className="small text-body-secondary" role="status">
                {run.status === 'queued' ? 'Queued: a server worker starts it soon.' : 'Running.'} Refreshed every {POLL_MS / 1000} s.
              </p>
            )}
            <Fields run={run} />
            {run.error && (
              <div className="alert alert-danger small" role="alert">
                <h4 className="h6 alert-heading mb-1">Failed</h4>
                <p className="mb-0 text-break">{run.error}</p>
              </div>
            )}
            <h4 className="h6">Plan</h4>
            <p className="small mb-1">{planCaption(run)}</p>
            <BoundedList items={run.plan ?? []} label={`Plan of ${run.id}`} empty="" />
            {!run.dry_run && (
              <>
                <h4 className="h6">{outcomesHeadline(run)}</h4>
                <BoundedList items={run.outcomes ?? []} label={`Outcomes of ${run.id}`} empty="No step applied yet." />
              </>
            )}
          </>
        )}
      </div>
    </section>
  );
}
