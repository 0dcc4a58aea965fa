// The on-call page: are users hurt, since when, and why. Each SLO as a tile
// (state as the alert rules see it, budget left, burn rate per window, and
// its good and bad events over the last hours or days, from GET /v1/slos:
// docgen's own records, no Prometheus needed), the failed jobs grouped by
// their first error's code or by product and jurisdiction with the newest
// examples linked, and the queue with the wait of its oldest job.
// Refreshes every few seconds.
import { useMemo, useState } from 'react';
import type { HistorySpan, Job, Slo } from '../api/client';
import { useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { EventChart } from '../components/EventChart';
import { formatTime } from '../lib/format';
import { POLL_MS, useAsync, usePolling } from '../lib/hooks';
import { Link } from '../lib/router';
import {
  BURN_WINDOWS,
  faultOf,
  formatBurn,
  formatCompliance,
  groupFailures,
  historySeries,
  oldestWait,
  sloState,
  stepLabel,
  type FailureGroup,
  type FailureKey,
  type SloState,
} from '../lib/slo';

/** Failed jobs read for grouping, and queued jobs for the queue (the API's page limit). */
const READ_LIMIT = 1000;

const SPANS: { span: HistorySpan; name: string }[] = [
  { span: '6h', name: '6 hours' },
  { span: '24h', name: '24 hours' },
  { span: '7d', name: '7 days' },
  { span: '28d', name: '28 days' },
];

const STATE_CLASS: Record<SloState, string> = {
  page: 'text-bg-danger',
  ticket: 'text-bg-warning',
  ok: 'text-bg-success',
  'no data': 'text-bg-secondary',
};

/** The legend of every SLO chart. */
const CHART_NAMES: [string, string] = ['good', 'bad'];

function SloTile({ slo }: { slo: Slo }) {
  const { state, why } = sloState(slo);
  // A new array only when the numbers change: the chart redraws on new data, not on every render.
  const steps = useMemo(
    () => (slo.history ? historySeries(slo.history).map((p) => ({ ...p, label: stepLabel(p.at, slo.history!.span) })) : []),
    [slo.history],
  );
  const left = Math.max(0, Math.min(1, slo.error_budget_left));
  return (
    <section className="card h-100" aria-labelledby={`slo-${slo.name}`}>
      <div className="card-body">
        <div className="d-flex justify-content-between align-items-start gap-2">
          <h2 className="h6 card-title mb-1" id={`slo-${slo.name}`}>
            {slo.name}
          </h2>
          <span className={`badge ${STATE_CLASS[state]}`}>{state}</span>
        </div>
        {slo.description && <p className="small text-body-secondary mb-2">{slo.description}</p>}
        <p className="small mb-1">{why}</p>
        <dl className="row small mb-2">
          <dt className="col-7">Objective ({slo.window_days} days)</dt>
          <dd className="col-5 mb-0 text-end">{slo.objective}%</dd>
          <dt className="col-7">Good events</dt>
          <dd className="col-5 mb-0 text-end">{formatCompliance(slo.compliance)}</dd>
          <dt className="col-7">Events</dt>
          <dd className="col-5 mb-0 text-end">{slo.total.toLocaleString('en-US')}</dd>
        </dl>
        <div className="small mb-1">
          Error budget left: <strong>{Math.round(slo.error_budget_left * 100)}%</strong>
        </div>
        <progress className="w-100" value={left} max={1} aria-label={`${slo.name}: error budget left`} />
        <table className="table table-sm small mb-0 mt-2">
          <caption className="visually-hidden">{slo.name}: burn rate per window (1x spends the budget exactly over {slo.window_days} days)</caption>
          <thead>
            <tr>
              {BURN_WINDOWS.map((w) => (
                <th key={w} scope="col" className="text-end">
                  {w}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {BURN_WINDOWS.map((w) => {
                const rate = slo.burn_rates[w];
                return (
                  <td key={w} className={`text-end${rate !== null && rate > 1 ? ' text-danger fw-semibold' : ''}`}>
                    {formatBurn(rate)}
                  </td>
                );
              })}
            </tr>
          </tbody>
        </table>
        {slo.history && (
          <div className="mt-2">
            <EventChart label={`${slo.name}: good and bad events per ${slo.history.step_minutes} minutes`} names={CHART_NAMES} steps={steps} />
          </div>
        )}
      </div>
    </section>
  );
}

function Failures({ jobs, by }: { jobs: readonly Job[]; by: FailureKey }) {
  const groups = useMemo(() => groupFailures(jobs, by), [jobs, by]);
  const columns: Column<FailureGroup>[] = [
    by === 'code'
      ? { key: 'key', header: 'Error code', render: (g) => <code>{g.key}</code>, sortValue: (g) => g.key }
      : { key: 'key', header: 'Product / jurisdiction', render: (g) => g.key, sortValue: (g) => g.key },
    by === 'code'
      ? {
          key: 'fault',
          header: 'Whose',
          render: (g) =>
            faultOf(g.key) === 'docgen' ? <span className="badge text-bg-danger">docgen</span> : <span className="badge text-bg-secondary">input</span>,
          sortValue: (g) => faultOf(g.key),
        }
      : { key: 'fault', header: "docgen's", render: (g) => (g.docgen > 0 ? <span className="badge text-bg-danger">{g.docgen}</span> : 0), sortValue: (g) => g.docgen, className: 'text-end' },
    { key: 'count', header: 'Jobs', render: (g) => g.count, sortValue: (g) => g.count, className: 'text-end' },
    { key: 'latest', header: 'Latest', render: (g) => formatTime(g.latest), sortValue: (g) => g.latest },
    {
      key: 'message',
      header: 'Latest error',
      render: (g) => (
        <span className="small">
          {by === 'market' && <code className="me-1">{g.code}</code>}
          {g.message}
        </span>
      ),
    },
    {
      key: 'examples',
      header: 'Examples',
      render: (g) => (
        <ul className="list-unstyled mb-0 small">
          {g.examples.map((id) => (
            <li key={id}>
              <Link to={`jobs?job=${encodeURIComponent(id)}`}>
                <code>{id}</code>
              </Link>
            </li>
          ))}
        </ul>
      ),
    },
  ];
  return (
    <DataTable
      caption={`Failed jobs by ${by === 'code' ? 'cause' : 'product and jurisdiction'} (the latest ${jobs.length.toLocaleString('en-US')} failed jobs)`}
      columns={columns}
      rows={groups}
      rowKey={(g) => g.key}
      empty="No failed jobs."
    />
  );
}

export function OnCallPage() {
  const { client } = useAuth();
  const [now, setNow] = useState(() => Date.now());
  const [span, setSpan] = useState<HistorySpan>('24h');
  const [by, setBy] = useState<FailureKey>('code');
  const slos = useAsync((signal) => client.slos(span, signal), [client, span]);
  const failed = useAsync((signal) => client.listJobs({ status: 'failed', limit: READ_LIMIT }, signal), [client]);
  const queued = useAsync((signal) => client.listJobs({ status: 'queued', limit: READ_LIMIT }, signal), [client]);
  const reload = () => {
    setNow(Date.now());
    slos.reload();
    failed.reload();
    queued.reload();
  };
  usePolling(reload, POLL_MS, true);
  const waiting = queued.data?.jobs ?? [];
  const wait = oldestWait(waiting, now);
  const loading = slos.loading || failed.loading || queued.loading;

  return (
    <div>
      <div className="d-flex align-items-center gap-3 mb-3">
        <h1 className="h3 mb-0">On call</h1>
        <span className="small text-body-secondary">
          {slos.data ? `As of ${formatTime(slos.data.as_of)}; refreshes every ${POLL_MS / 1000} s` : null}
        </span>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={reload}>
          Refresh
        </button>
        {loading && <span className="spinner-border spinner-border-sm" role="status" aria-label="Loading" />}
      </div>

      <div className="btn-group btn-group-sm mb-3" role="group" aria-label="Charts over the last">
        {SPANS.map((s) => (
          <button
            key={s.span}
            type="button"
            className={`btn ${s.span === span ? 'btn-secondary' : 'btn-outline-secondary'}`}
            aria-pressed={s.span === span}
            onClick={() => setSpan(s.span)}
          >
            {s.name}
          </button>
        ))}
      </div>
      {slos.error ? <ErrorPanel error={slos.error} title="Loading the SLOs" onRetry={slos.reload} /> : null}
      <div className="row row-cols-1 row-cols-lg-2 g-3 mb-4">
        {(slos.data?.slos ?? []).map((slo) => (
          <div className="col" key={slo.name}>
            <SloTile slo={slo} />
          </div>
        ))}
      </div>

      <section className="mb-4" aria-labelledby="queue-heading">
        <h2 className="h5" id="queue-heading">
          Queue
        </h2>
        {queued.error ? (
          <ErrorPanel error={queued.error} title="Loading the queue" onRetry={queued.reload} />
        ) : (
          <p className="mb-0">
            <strong>{waiting.length >= READ_LIMIT ? `${READ_LIMIT.toLocaleString('en-US')}+` : waiting.length}</strong> jobs waiting
            {wait ? (
              <>
                ; the oldest {waiting.length >= READ_LIMIT ? `of the newest ${READ_LIMIT.toLocaleString('en-US')} ` : ''}has waited{' '}
                {waiting.length >= READ_LIMIT ? 'at least ' : ''}
                <strong>{wait}</strong>
              </>
            ) : null}
            .
          </p>
        )}
      </section>

      <section aria-labelledby="failures-heading">
        <div className="d-flex align-items-center gap-3 mb-2">
          <h2 className="h5 mb-0" id="failures-heading">
            Failures
          </h2>
          <div className="btn-group btn-group-sm" role="group" aria-label="Group failures by">
            {(
              [
                ['code', 'By cause'],
                ['market', 'By product and jurisdiction'],
              ] as const
            ).map(([key, name]) => (
              <button
                key={key}
                type="button"
                className={`btn ${key === by ? 'btn-secondary' : 'btn-outline-secondary'}`}
                aria-pressed={key === by}
                onClick={() => setBy(key)}
              >
                {name}
              </button>
            ))}
          </div>
        </div>
        <p className="small text-body-secondary">
          <span className="badge text-bg-danger">docgen</span> failures used up their attempts and count against jobs-succeed;{' '}
          <span className="badge text-bg-secondary">input</span> failures are the caller&apos;s quote, never retried, and count as good.
        </p>
        {failed.error ? <ErrorPanel error={failed.error} title="Loading the failed jobs" onRetry={failed.reload} /> : <Failures jobs={failed.data?.jobs ?? []} by={by} />}
      </section>
    </div>
  );
}
