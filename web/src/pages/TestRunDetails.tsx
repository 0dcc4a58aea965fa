// One test run (GET /v1/test-runs/{id}): what started it, its progress and
// counts, its variants by status, and the selected variant's pages (golden,
// new and diff: side by side or overlaid). Admins approve the run's pages as
// the goldens, all of them or one variant's, with a reason for the audit log.
import { useCallback, useState, type FormEvent } from 'react';
import type { TestRun, TestRunVariant, VariantStatus } from '../api/client';
import { isAdmin, useAuth } from '../auth';
import { BoundedList } from '../components/BoundedList';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { PageCompare } from '../components/PageCompare';
import { Progress } from '../components/Progress';
import { isActive, StatusBadge } from '../components/StatusBadge';
import { formatTime } from '../lib/format';
import { POLL_MS, useAsync, useOnChange, usePolling } from '../lib/hooks';
import { useSelectedParam } from '../lib/router';
import { countsText, splitKey, TRIGGER_TEXT } from '../lib/testRuns';

type Shown = VariantStatus | 'removed' | 'all';
const FILTERS: Shown[] = ['changed', 'new', 'failed', 'removed', 'same', 'all'];
const PAGE = 200;

const VARIANT_CLASS: Record<VariantStatus, string> = { same: 'text-bg-success', changed: 'text-bg-warning', new: 'text-bg-info', failed: 'text-bg-danger' };

const variantColumns: Column<TestRunVariant>[] = [
  { key: 'key', header: 'Variant', render: (v) => <code className="small text-break">{v.key}</code>, sortValue: (v) => v.key },
  { key: 'status', header: 'Status', render: (v) => <span className={`badge ${VARIANT_CLASS[v.status]}`}>{v.status}</span>, sortValue: (v) => v.status },
  {
    key: 'pages',
    header: 'Pages',
    render: (v) => (v.changed_pages?.length ? `${v.changed_pages.join(', ')} of ${v.pages ?? '?'} changed` : (v.pages ?? '')),
    className: 'text-nowrap',
  },
  {
    key: 'share',
    header: 'Pixels changed',
    render: (v) => (v.changed_share !== undefined ? `${(v.changed_share * 100).toFixed(2)}%` : ''),
    sortValue: (v) => v.changed_share ?? 0,
    className: 'text-end',
  },
];

/** The filter a run opens with: the first kind of difference it found. */
function firstShown(run: TestRun): Shown {
  for (const s of ['changed', 'new', 'failed', 'removed'] as const) if (run.counts[s] > 0) return s;
  return 'all';
}

function Fields({ run }: { run: TestRun }) {
  return (
    <dl className="row small mb-2">
      <dt className="col-4">Trigger</dt>
      <dd className="col-8">{TRIGGER_TEXT[run.trigger]}</dd>
      <dt className="col-4">Catalog</dt>
      <dd className="col-8">version {run.catalog_version}{run.drafts ? ' with the drafts applied' : ''}</dd>
      {run.requested_by && (
        <>
          <dt className="col-4">Started by</dt>
          <dd className="col-8">{run.requested_by}</dd>
        </>
      )}
      <dt className="col-4">Created</dt>
      <dd className="col-8">
        <time dateTime={run.created_at}>{formatTime(run.created_at)}</time>
      </dd>
      {run.finished_at && (
        <>
          <dt className="col-4">Finished</dt>
          <dd className="col-8">
            <time dateTime={run.finished_at}>{formatTime(run.finished_at)}</time>
            {run.duration_ms !== undefined && ` (${(run.duration_ms / 1000).toFixed(1)} s)`}
          </dd>
        </>
      )}
      <dt className="col-4">Progress</dt>
      <dd className="col-8">
        <Progress done={run.progress.variants_done} total={run.progress.variants_total} label={`Variants of ${run.id} done`} />
      </dd>
      <dt className="col-4">Found</dt>
      <dd className="col-8">{countsText(run.counts)}</dd>
      {run.rendered !== undefined && (
        <>
          <dt className="col-4">Drawn</dt>
          <dd className="col-8">
            {run.rendered} variants drawn; the others' inputs matched their goldens'{run.resumed ? `; ${run.resumed} recorded before a restart` : ''}
          </dd>
        </>
      )}
    </dl>
  );
}

/** Approve the run's pages (or one variant's) as the goldens, with a reason for the audit log. */
function Approve({ run, only, onApproved }: { run: TestRun; only?: string; onApproved: (text: string) => void }) {
  const { client } = useAuth();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const done = await client.approveTestRun(run.id, reason.trim(), only ? [only] : undefined);
      onApproved(`Approved: ${done.approved} variant${done.approved === 1 ? '' : 's'} now golden${done.dropped ? `, ${done.dropped} removed golden${done.dropped === 1 ? '' : 's'} dropped` : ''}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const id = `approve-reason-${only ? 'variant' : 'run'}`;
  return (
    <form className="border rounded p-2 mb-2" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id} className="form-label small mb-1">
        Reason (kept in the audit log)
      </label>
      <div className="d-flex gap-2">
        <input id={id} className="form-control form-control-sm" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. new CA notice wording" />
        <button type="submit" className="btn btn-sm btn-success text-nowrap" disabled={busy}>
          {only ? 'Approve this variant' : 'Approve the run'}
        </button>
      </div>
      <ErrorPanel error={error} title="Approving" />
    </form>
  );
}

function VariantView({ run, variant }: { run: TestRun; variant: TestRunVariant }) {
  const { client, role } = useAuth();
  const [approved, setApproved] = useState<string | null>(null);
  const load = useCallback((path: string, signal: AbortSignal) => client.testRunImage(path, signal), [client]);
  const { document, where, sample } = splitKey(variant.key);
  // Changed pages first: the ones to look at.
  const pages = [...variant.images].sort((a, b) => Number(!a.diff) - Number(!b.diff) || a.page - b.page);
  return (
    <section aria-label={`Variant ${variant.key}`} className="mt-3">
      <h4 className="h6">
        <code>{document}</code> for {where}, sample {sample} <span className={`badge ${VARIANT_CLASS[variant.status]}`}>{variant.status}</span>
      </h4>
      {variant.error && <pre className="small bg-danger-subtle p-2 rounded text-wrap">{variant.error}</pre>}
      {isAdmin(role) && run.status === 'succeeded' && (variant.status === 'new' || variant.status === 'changed') && !approved && (
        <Approve run={run} only={variant.key} onApproved={setApproved} />
      )}
      {approved && (
        <p className="alert alert-success small py-1" role="status">
          {approved}
        </p>
      )}
      {pages.length === 0 && !variant.error && (
        <p className="small text-body-secondary">No pictures: its pages are its golden's (same inputs, or the same PDF), so none were kept.</p>
      )}
      {pages.map((images) => (
        <PageCompare key={images.page} images={images} what={variant.key} load={load} />
      ))}
    </section>
  );
}

/** The run `id`; `onChanged` when its status changes (the list shows it too). */
export function TestRunDetails({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { client, role } = useAuth();
  const loaded = useAsync((signal) => client.testRun(id, signal), [client, id]);
  const run = loaded.data;
  usePolling(loaded.reload, POLL_MS, !!run && isActive(run.status));
  useOnChange(run?.status, onChanged);
  const [chosen, setChosen] = useState<Shown | null>(null);
  // While the run goes, everything (the list would jump as counts grow); once it ended, what it found first.
  const shown: Shown = chosen ?? (run && !isActive(run.status) ? firstShown(run) : 'all');
  const [canceling, setCanceling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const cancel = async () => {
    setCanceling(true);
    setCancelError(null);
    try {
      await client.cancelTestRun(id);
    } catch (e) {
      setCancelError(e);
    } finally {
      setCanceling(false);
      loaded.reload();
    }
  };
  const [limit, setLimit] = useState(PAGE);
  const status = shown === 'all' ? undefined : shown;
  const variants = useAsync(
    (signal) => client.testRunVariants(id, { status, limit }, signal),
    [client, id, status, limit, run?.progress.variants_done, run?.status],
  );
  const [selectedSeq, toggleVariant, closeVariant] = useSelectedParam('variant');
  const selectedVariant = variants.data?.variants.find((v) => String(v.seq) === selectedSeq);
  const [approved, setApproved] = useState<string | null>(null);
  const differences = run ? run.counts.changed + run.counts.new + run.counts.removed : 0;

  return (
    <section className="card" aria-label={`Test run ${id}`}>
      <div className="card-body">
        <h3 className="h5 card-title text-break">
          Run <code>{id}</code> {run && <StatusBadge status={run.status} outcome={run.outcome} />}
        </h3>
        <ErrorPanel error={loaded.error} title="Loading the run" onRetry={loaded.reload} />
        {!run && loaded.loading && <p aria-busy="true">Loading…</p>}
        {run && (
          <>
            {isActive(run.status) && (
              <p className="small text-body-secondary" role="status">
                {run.status === 'queued' ? 'Queued: a server worker starts it soon.' : 'Running.'} Refreshed every {POLL_MS / 1000} s.
              </p>
            )}
            <Fields run={run} />
            {run.errors && run.errors.length > 0 && (
              <div className="alert alert-danger small" role="alert">
                <h4 className="h6 alert-heading mb-1">Failed</h4>
                {run.errors.map((e, i) => (
                  <p key={i} className="mb-0 text-break">
                    {e.message}
                  </p>
                ))}
              </div>
            )}
            {isAdmin(role) && isActive(run.status) && (
              <button type="button" className="btn btn-sm btn-outline-danger mb-2" disabled={canceling} onClick={() => void cancel()}>
                Cancel the run
              </button>
            )}
            <ErrorPanel error={cancelError} title="Canceling the run" />
            {isAdmin(role) && run.status === 'succeeded' && differences > 0 && !approved && <Approve run={run} onApproved={setApproved} />}
            {approved && (
              <p className="alert alert-success small py-1" role="status">
                {approved}
              </p>
            )}
            <div className="btn-group btn-group-sm flex-wrap mb-2" role="group" aria-label="Show variants">
              {FILTERS.map((f) => (
                <button
                  key={f}
                  type="button"
                  className={`btn btn-outline-secondary${shown === f ? ' active' : ''}`}
                  aria-pressed={shown === f}
                  onClick={() => {
                    setChosen(f);
                    setLimit(PAGE);
                    closeVariant();
                  }}
                >
                  {f === 'all' ? `All (${run.progress.variants_total})` : `${f.charAt(0).toUpperCase()}${f.slice(1)} (${run.counts[f]})`}
                </button>
              ))}
            </div>
            <ErrorPanel error={variants.error} title="Loading the variants" onRetry={variants.reload} />
            {shown === 'removed' ? (
              <>
                <p className="small mb-1">Goldens whose variant no longer exists (approving the run drops them):</p>
                <BoundedList items={variants.data?.removed ?? []} label={`Removed goldens of ${id}`} empty="None." />
              </>
            ) : (
              variants.data && (
                <>
                  <DataTable
                    caption={`Variants of ${id}`}
                    columns={variantColumns}
                    rows={variants.data.variants}
                    rowKey={(v) => String(v.seq)}
                    selectedKey={selectedSeq}
                    onSelect={(v) => toggleVariant(String(v.seq))}
                    empty={isActive(run.status) ? 'None yet.' : 'None.'}
                  />
                  {variants.data.next_after != null && (
                    <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setLimit((l) => Math.min(l + PAGE, 1000))} disabled={limit >= 1000}>
                      {limit >= 1000 ? 'Showing the first 1,000' : 'Show more'}
                    </button>
                  )}
                </>
              )
            )}
            {selectedVariant && <VariantView key={selectedVariant.seq} run={run} variant={selectedVariant} />}
          </>
        )}
      </div>
    </section>
  );
}
