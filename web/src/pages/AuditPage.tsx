// The audit log (admin): the hash chain's verification, the entries newest
// first filtered on the server (GET /v1/audit), older pages on demand, and
// the selected entry (`?entry=SEQ`) with every field.
import { useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { AuditEntry, AuditVerification } from '../api/client';
import { useAuth } from '../auth';
import { Actor } from '../components/Actor';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { FilterBar } from '../components/FilterBar';
import { ListWithDetails } from '../components/ListWithDetails';
import { auditFilters, auditQuery } from '../filters/audit';
import { applyFilters, prepare } from '../filters/engine';
import { parseSeq, targetLink, verificationSummary } from '../lib/audit';
import { formatTime } from '../lib/format';
import { useAsync, useDebounced } from '../lib/hooks';
import { Link, useSelectedParam } from '../lib/router';
import { useFilterState } from '../lib/useFilterState';

/** Typed filters go to the server once typing pauses. */
const FILTER_DELAY_MS = 300;

// A link inside a selectable row opens its page rather than selecting the row.
const keepToLink = (e: MouseEvent | KeyboardEvent) => e.stopPropagation();

/** The target as text, linked to its page when the UI has one. */
function Target({ target }: { target: string }) {
  const link = targetLink(target);
  if (!link) return <code className="audit-target">{target}</code>;
  return (
    <Link to={link.to} className="audit-target" title={link.label} onClick={keepToLink} onKeyDown={keepToLink}>
      <code>{target}</code>
    </Link>
  );
}

function VerificationBanner({ verification, error, loading, onRetry }: { verification: AuditVerification | undefined; error: unknown; loading: boolean; onRetry: () => void }) {
  if (error) return <ErrorPanel error={error} title="Verifying the chain" onRetry={onRetry} />;
  if (!verification) return loading ? <p aria-busy="true">Verifying the chain…</p> : null;
  const summary = verificationSummary(verification);
  if (summary.valid) {
    return (
      <div className="alert alert-success py-2 audit-banner" role="status">
        {summary.headline}
      </div>
    );
  }
  return (
    <div className="alert alert-danger audit-banner" role="alert">
      <h2 className="h6 alert-heading mb-1">{summary.headline}</h2>
      <p className="mb-1">{verification.problem ?? 'The server names no problem.'}</p>
      <p className="mb-0 small">{summary.detail}</p>
    </div>
  );
}

function EntryDetails({ seq, loaded }: { seq: number; loaded: AuditEntry | undefined }) {
  const { client } = useAuth();
  // An entry that is not among the loaded ones (a link to an older entry) is fetched alone.
  const fetched = useAsync((signal) => (loaded ? Promise.resolve(null) : client.auditEntry(seq, signal)), [client, seq, loaded === undefined]);
  const e = loaded ?? fetched.data ?? undefined;
  const link = e ? targetLink(e.target) : null;
  return (
    <section className="card" aria-label={`Audit entry ${seq}`}>
      <div className="card-body">
        <h2 className="h5 card-title">
          Entry {seq}
          {e && (
            <>
              {': '}
              <code>{e.action}</code>
            </>
          )}
        </h2>
        <ErrorPanel error={fetched.error} title="Loading the entry" onRetry={fetched.reload} />
        {!e && fetched.loading && <p aria-busy="true">Loading…</p>}
        {!e && !fetched.loading && !fetched.error && <p>There is no entry {seq}.</p>}
        {e && (
          <>
            <dl className="row small mb-2 audit-fields">
              <dt className="col-4">Time</dt>
              <dd className="col-8">
                <time dateTime={e.at}>{formatTime(e.at)}</time> <span className="text-body-secondary">({e.at})</span>
              </dd>
              <dt className="col-4">Actor</dt>
              <dd className="col-8">{e.actor}</dd>
              <dt className="col-4">Role</dt>
              <dd className="col-8">{e.role}</dd>
              <dt className="col-4">Action</dt>
              <dd className="col-8">
                <code>{e.action}</code>
              </dd>
              <dt className="col-4">Target</dt>
              <dd className="col-8">
                <code>{e.target}</code>
                {link && (
                  <>
                    {' · '}
                    <Link to={link.to}>{link.label}</Link>
                  </>
                )}
              </dd>
              <dt className="col-4">Reason</dt>
              <dd className="col-8">{e.reason ? e.reason : <em>none given</em>}</dd>
              <dt className="col-4">Request id</dt>
              <dd className="col-8">{e.request_id ? <code>{e.request_id}</code> : <em>none (command line)</em>}</dd>
              <dt className="col-4">Previous hash</dt>
              <dd className="col-8">{e.prev_hash ? <code>{e.prev_hash}</code> : <em>none (the first entry)</em>}</dd>
              <dt className="col-4">Hash</dt>
              <dd className="col-8">
                <code>{e.hash}</code>
              </dd>
            </dl>
            <h3 className="h6">Details</h3>
            <pre className="small bg-body-tertiary p-2 rounded mb-0">
              {JSON.stringify(e.details, null, 2)}
            </pre>
          </>
        )}
      </div>
    </section>
  );
}

/** Older pages loaded with "Load older entries", for the query they continue. */
interface OlderPages {
  queryKey: string;
  entries: AuditEntry[];
  nextBefore: number | undefined;
}

export function AuditPage() {
  const { client } = useAuth();
  const [state, setState] = useFilterState(auditFilters);
  const query = auditQuery(useDebounced(state, FILTER_DELAY_MS));
  const queryKey = JSON.stringify(query);
  const newest = useAsync((signal) => client.listAudit(query, signal), [client, queryKey]);
  const verify = useAsync((signal) => client.verifyAudit(signal), [client]);
  const [older, setOlder] = useState<OlderPages | null>(null);
  const [olderError, setOlderError] = useState<unknown>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [selected, toggle, deselect] = useSelectedParam('entry');
  const seq = parseSeq(selected);

  // Pages loaded for an earlier query (or before a refresh) are dropped.
  const more = older && older.queryKey === queryKey ? older : null;
  const rows = useMemo(() => (newest.data ? [...newest.data.entries, ...(more?.entries ?? [])] : undefined), [newest.data, more]);
  const nextBefore = more ? more.nextBefore : newest.data?.next_before;
  const prepared = useMemo(() => prepare(auditFilters, rows ?? []), [rows]);
  const result = useMemo(() => applyFilters(prepared, state), [prepared, state]);

  const refresh = () => {
    setOlder(null);
    setOlderError(null);
    newest.reload();
    verify.reload();
  };

  const loadOlder = async () => {
    if (nextBefore === undefined) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await client.listAudit({ ...query, before: nextBefore });
      setOlder({ queryKey, entries: [...(more?.entries ?? []), ...page.entries], nextBefore: page.next_before });
    } catch (e) {
      setOlderError(e);
    } finally {
      setLoadingOlder(false);
    }
  };

  const columns: Column<AuditEntry>[] = [
    { key: 'seq', header: 'Seq', render: (e) => e.seq, sortValue: (e) => e.seq, className: 'text-end' },
    { key: 'at', header: 'Time', render: (e) => <time dateTime={e.at}>{formatTime(e.at)}</time>, sortValue: (e) => Date.parse(e.at) || 0 },
    {
      key: 'actor',
      header: 'Actor',
      render: (e) => <Actor actor={e.actor} role={e.role} />,
      sortValue: (e) => e.actor,
    },
    { key: 'action', header: 'Action', render: (e) => <code>{e.action}</code>, sortValue: (e) => e.action },
    { key: 'target', header: 'Target', render: (e) => <Target target={e.target} />, sortValue: (e) => e.target },
    { key: 'reason', header: 'Reason', render: (e) => e.reason ?? '' },
  ];

  return (
    <div>
      <div className="d-flex align-items-center gap-3">
        <h1 className="h3 mb-0">Audit log</h1>
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={refresh}>
          Refresh
        </button>
        {(newest.loading || verify.loading) && <span className="spinner-border spinner-border-sm" role="status" aria-label="Loading" />}
      </div>
      <p className="text-body-secondary small">
        Every change made through docgen, newest first, {query.limit} at a time. Actor, one action, target and time are filtered by the server (exact
        matches); several actions, among the loaded entries.
      </p>
      <VerificationBanner verification={verify.data} error={verify.error} loading={verify.loading} onRetry={verify.reload} />
      <ErrorPanel error={newest.error} title="Loading the audit log" onRetry={newest.reload} />
      <ListWithDetails
        list={
          <>
            <FilterBar prepared={prepared} result={result} state={state} onChange={setState} noun="loaded entries" />
            {rows && (
              <DataTable
                caption="Audit log entries"
                columns={columns}
                rows={result.rows}
                rowKey={(e) => String(e.seq)}
                selectedKey={selected}
                onSelect={(e) => toggle(String(e.seq))}
                empty="No entry matches."
              />
            )}
            <ErrorPanel error={olderError} title="Loading older entries" onRetry={() => void loadOlder()} />
            {rows && nextBefore !== undefined && (
              <button type="button" className="btn btn-sm btn-outline-secondary" disabled={loadingOlder} onClick={() => void loadOlder()}>
                {loadingOlder ? 'Loading older entries…' : 'Load older entries'}
              </button>
            )}
            {rows && rows.length > 0 && nextBefore === undefined && <p className="small text-body-secondary">No older entries.</p>}
          </>
        }
        details={
          selected ? (
            seq === null ? (
              <p className="alert alert-warning">“{selected}” is not an entry number.</p>
            ) : (
              <EntryDetails key={seq} seq={seq} loaded={rows?.find((e) => e.seq === seq)} />
            )
          ) : null
        }
        onClose={deselect}
      />
    </div>
  );
}
