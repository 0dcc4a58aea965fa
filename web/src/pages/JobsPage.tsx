import { useMemo, useState } from 'react';
import type { Job } from '../api/client';
import { canGenerate, isAdmin, useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { FilterBar } from '../components/FilterBar';
import { ListWithDetails } from '../components/ListWithDetails';
import { Findings } from '../components/Findings';
import { PdfViewer } from '../components/PdfViewer';
import { StatusBadge } from '../components/StatusBadge';
import { applyFilters, prepare } from '../filters/engine';
import { jobFilters, jobsQuery } from '../filters/jobs';
import { formatTime as time } from '../lib/format';
import { POLL_MS, saveBlob, useAsync, usePolling } from '../lib/hooks';
import { useSelectedParam } from '../lib/router';
import { useFilterState } from '../lib/useFilterState';

const finished = (j: Job) => j.status === 'succeeded' || j.status === 'failed' || j.status === 'canceled';

function JobDetails({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { client, role } = useAuth();
  const job = useAsync((signal) => client.job(id, signal), [client, id]);
  const hooks = useAsync((signal) => client.webhooks(id, signal), [client, id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [pdf, setPdf] = useState<Blob | null>(null);
  const j = job.data;
  usePolling(
    () => {
      job.reload();
      hooks.reload();
    },
    POLL_MS,
    !!j && !finished(j),
  );

  const act = async (what: 'retry' | 'cancel') => {
    setBusy(true);
    setActionError(null);
    try {
      await (what === 'retry' ? client.retryJob(id) : client.cancelJob(id));
      job.reload();
      hooks.reload();
      onChanged();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const download = async (path: string, name: string) => {
    setActionError(null);
    try {
      saveBlob(await client.download(path), name);
    } catch (e) {
      setActionError(e);
    }
  };

  const showPdf = async () => {
    if (!j?.result) return;
    setActionError(null);
    try {
      setPdf(await client.download(j.result.package_pdf));
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <section className="card" aria-label={`Job ${id}`}>
      <div className="card-body">
        <h2 className="h5 card-title text-break">
          <code>{id}</code> {j && <StatusBadge status={j.status} outcome={j.outcome} />}
        </h2>
        <ErrorPanel error={job.error} title="Loading the job" />
        <ErrorPanel error={actionError} />
        {j && (
          <>
            <dl className="row small mb-2">
              <dt className="col-5">Quote</dt>
              <dd className="col-7">{j.quote_id ?? <em>none</em>}</dd>
              <dt className="col-5">Catalog version</dt>
              <dd className="col-7">{j.catalog_version}</dd>
              <dt className="col-5">Attempts</dt>
              <dd className="col-7">
                {j.attempts} of {j.max_attempts}
              </dd>
              <dt className="col-5">Created</dt>
              <dd className="col-7">{time(j.created_at)}</dd>
              <dt className="col-5">Updated</dt>
              <dd className="col-7">{time(j.updated_at)}</dd>
              {j.finished_at && (
                <>
                  <dt className="col-5">Finished</dt>
                  <dd className="col-7">{time(j.finished_at)}</dd>
                </>
              )}
              {j.next_attempt_at && (
                <>
                  <dt className="col-5">Next attempt</dt>
                  <dd className="col-7">{time(j.next_attempt_at)}</dd>
                </>
              )}
              {(j.product || j.jurisdiction) && (
                <>
                  <dt className="col-5">Product / jurisdiction</dt>
                  <dd className="col-7">
                    {j.product ?? '–'} / {j.jurisdiction ?? '–'}
                  </dd>
                </>
              )}
              {j.trace_id && (
                <>
                  <dt className="col-5">Trace</dt>
                  <dd className="col-7 text-break font-monospace small">{j.trace_id}</dd>
                </>
              )}
              {j.idempotency_key && (
                <>
                  <dt className="col-5">Idempotency key</dt>
                  <dd className="col-7 text-break">{j.idempotency_key}</dd>
                </>
              )}
              {j.callback_url && (
                <>
                  <dt className="col-5">Callback</dt>
                  <dd className="col-7 text-break">{j.callback_url}</dd>
                </>
              )}
            </dl>
            {canGenerate(role) && (
              <div className="d-flex gap-2 mb-3">
                <button type="button" className="btn btn-sm btn-outline-primary" disabled={busy || !(j.status === 'failed' || j.status === 'canceled')} onClick={() => void act('retry')}>
                  Retry
                </button>
                <button type="button" className="btn btn-sm btn-outline-danger" disabled={busy || !(j.status === 'queued' || j.status === 'running')} onClick={() => void act('cancel')}>
                  Cancel
                </button>
              </div>
            )}
            <Findings findings={j.errors} caption="Errors" />
            {j.result && (
              <div className="mt-3">
                <h3 className="h6">Results ({j.result.pages} {j.result.pages === 1 ? 'page' : 'pages'})</h3>
                <ul className="list-unstyled small">
                  <li>
                    <button type="button" className="btn btn-link btn-sm p-0" onClick={() => void download(j.result!.package_pdf, `${j.quote_id ?? j.id}-package.pdf`)}>
                      package.pdf
                    </button>{' '}
                    ·{' '}
                    <button type="button" className="btn btn-link btn-sm p-0" onClick={() => void showPdf()}>
                      show
                    </button>
                  </li>
                  <li>
                    <button type="button" className="btn btn-link btn-sm p-0" onClick={() => void download(j.result!.package_json, `${j.quote_id ?? j.id}-package.json`)}>
                      package.json
                    </button>
                  </li>
                  {j.result.documents.map((d) => (
                    <li key={d.name}>
                      <button type="button" className="btn btn-link btn-sm p-0" onClick={() => void download(d.url, d.name)}>
                        {d.name}
                      </button>{' '}
                      <span className="text-body-secondary">({d.pages} {d.pages === 1 ? 'page' : 'pages'})</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <div className="mt-3">
              <h3 className="h6">
                Webhook {j.webhook ? `(${j.webhook.state}, ${j.webhook.attempts} attempts)` : '(no callback)'}
              </h3>
              <ErrorPanel error={hooks.error} title="Loading webhook attempts" />
              {hooks.data && hooks.data.attempts.length > 0 && (
                <table className="table table-sm small">
                  <caption className="visually-hidden">Webhook attempts</caption>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">At</th>
                      <th scope="col">Outcome</th>
                      {isAdmin(role) && <th scope="col">HTTP</th>}
                      {isAdmin(role) && <th scope="col">Error</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {hooks.data.attempts.map((a) => (
                      <tr key={a.attempt}>
                        <td>{a.attempt}</td>
                        <td>{time(a.at)}</td>
                        <td>{a.outcome}</td>
                        {isAdmin(role) && <td>{a.http_status ?? ''}</td>}
                        {isAdmin(role) && <td className="text-break">{a.error ?? ''}</td>}
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
            {pdf && (
              <div className="mt-3">
                <PdfViewer data={pdf} label={`Package PDF of job ${j.id}`} />
              </div>
            )}
          </>
        )}
      </div>
    </section>
  );
}

export function JobsPage() {
  const { client } = useAuth();
  const [state, setState] = useFilterState(jobFilters);
  const [live, setLive] = useState(true);
  const query = jobsQuery(state);
  const queryKey = JSON.stringify(query);
  const jobs = useAsync((signal) => client.listJobs(query, signal), [client, queryKey]);
  usePolling(jobs.reload, POLL_MS, live);
  const rows = jobs.data?.jobs;
  const prepared = useMemo(() => prepare(jobFilters, rows ?? []), [rows]);
  const result = useMemo(() => applyFilters(prepared, state), [prepared, state]);
  const [selected, toggle, deselect] = useSelectedParam('job');

  const columns: Column<Job>[] = [
    // Ids break anywhere and the times wrap, so that every column fits narrow windows (800 px) without scrolling sideways.
    { key: 'id', header: 'Job', render: (j) => <code className="small">{j.id}</code>, className: 'jobs-id' },
    { key: 'status', header: 'Status', render: (j) => <StatusBadge status={j.status} outcome={j.outcome} />, sortValue: (j) => (j.outcome === 'invalid' ? 'invalid' : j.status) },
    { key: 'quote', header: 'Quote', render: (j) => j.quote_id ?? '', sortValue: (j) => j.quote_id ?? '', className: 'text-nowrap' },
    { key: 'attempts', header: 'Attempts', render: (j) => `${j.attempts}/${j.max_attempts}`, className: 'text-end' },
    { key: 'created', header: 'Created', render: (j) => time(j.created_at), sortValue: (j) => j.created_at },
    { key: 'updated', header: 'Updated', render: (j) => time(j.updated_at), sortValue: (j) => j.updated_at },
    { key: 'webhook', header: 'Webhook', render: (j) => j.webhook?.state ?? '' },
  ];

  return (
    <div>
      <div className="d-flex align-items-center gap-3">
        <h1 className="h3 mb-0">Jobs</h1>
        <div className="form-check form-switch">
          <input className="form-check-input" type="checkbox" role="switch" id="jobs-live" checked={live} onChange={(e) => setLive(e.target.checked)} />
          <label className="form-check-label small" htmlFor="jobs-live">
            Live refresh (every {POLL_MS / 1000} s while this tab is visible)
          </label>
        </div>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={jobs.reload}>
          Refresh
        </button>
        {jobs.loading && <span className="spinner-border spinner-border-sm" role="status" aria-label="Loading" />}
      </div>
      <p className="text-body-secondary small">Newest first; up to 200 jobs matching the status and time filters.</p>
      <ErrorPanel error={jobs.error} title="Loading jobs" onRetry={jobs.reload} />
      <ListWithDetails
        list={
          <>
            <FilterBar prepared={prepared} result={result} state={state} onChange={setState} noun="jobs" />
            {rows && <DataTable caption="Jobs" columns={columns} rows={result.rows} rowKey={(j) => j.id} selectedKey={selected} onSelect={(j) => toggle(j.id)} empty="No job matches." />}
          </>
        }
        details={selected ? <JobDetails key={selected} id={selected} onChanged={jobs.reload} /> : null}
        onClose={deselect}
      />
    </div>
  );
}
