// Batch validations: submit JSON Lines, follow their progress, read the
// results grouped by finding code and open one policy's report.
import { useDeferredValue, useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { Validation } from '../api/client';
import { canGenerate, useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { ListHeading } from '../components/ListHeading';
import { Findings } from '../components/Findings';
import { Progress } from '../components/Progress';
import { isActive, StatusBadge } from '../components/StatusBadge';
import { exampleBatch } from '../examples';
import { formatTime } from '../lib/format';
import { POLL_MS, saveBlob, useAsync, useOnChange, usePolling } from '../lib/hooks';
import { useSearchParams } from '../lib/router';
import { groupByCode, parseResults, splitPolicies, type FindingGroup, type FindingRow, type PolicyLine } from '../lib/validation';
import { PolicyReport } from './PolicyReport';

// The text of the batches submitted from this tab, by validation id: the
// results name policies by position only, so their quotes (for the explain)
// come from here. Kept until the page is reloaded.
const submitted = new Map<string, string>();

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function BatchProgress({ v }: { v: Validation }) {
  const { policies_done: done, policies_total: total } = v.progress;
  return <Progress done={done} total={total} label={`Progress of ${v.id}: ${done} of ${total} policies`} />;
}

function summaryText(v: Validation): string {
  const s = v.summary;
  if (!s) return '';
  return `${s.ok} ok · ${s.with_errors} with errors${s.with_warnings ? ` · ${s.with_warnings} with warnings` : ''}`;
}

/** What is wrong with the lines of a text about to be sent, in words (each becomes an invalid_policy result). */
function notJsonNotes(policies: readonly PolicyLine[], max = 5): string[] {
  const notes: string[] = [];
  for (const p of policies) {
    if (p.parsed.ok) continue;
    if (notes.length === max) {
      notes.push('…');
      break;
    }
    const e = p.parsed.error;
    notes.push(`Line ${p.line + e.line - 1}, column ${e.column}: ${e.message}`);
  }
  return notes;
}

function BatchForm({ onSubmitted }: { onSubmitted: (v: Validation) => void }) {
  const { client } = useAuth();
  const [text, setText] = useState('');
  const [source, setSource] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const deferred = useDeferredValue(text);
  const policies = useMemo(() => splitPolicies(deferred), [deferred]);
  const notes = notJsonNotes(policies);
  const example = exampleBatch;

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setError(null);
    try {
      setText(await file.text());
      setSource(file.name);
    } catch (err) {
      setError(err);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || splitPolicies(text).length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const v = await client.createValidation(text);
      submitted.set(v.id, text);
      onSubmitted(v);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="batch-form-heading" className="mb-4">
      <h2 id="batch-form-heading" className="h4">
        Validate a batch
      </h2>
      <form onSubmit={(e) => void submit(e)}>
        <div className="mb-2">
          <label htmlFor="batch-file" className="form-label">
            JSON Lines file
          </label>
          <input
            id="batch-file"
            type="file"
            className="form-control"
            accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/jsonl,application/json,text/plain"
            aria-describedby="batch-file-help"
            onChange={(e) => void onFile(e)}
          />
          <div id="batch-file-help" className="form-text">
            One policy a line: <code>{'{"policy_id", "quote", "documents"}'}</code>. The file's text appears below; it is validated in the background against
            the current catalog version.
          </div>
        </div>
        <label htmlFor="batch-text" className="form-label">
          …or paste JSON Lines
        </label>
        <textarea
          id="batch-text"
          className="form-control font-monospace small"
          rows={6}
          spellCheck={false}
          value={text}
          aria-describedby="batch-count"
          onChange={(e) => {
            setText(e.target.value);
            setSource(null);
          }}
        />
        <div id="batch-count" className="small mt-1" role="status">
          {plural(policies.length, 'policy', 'policies')}
          {source ? ` from ${source}` : ''}
          {notes.length > 0 && (
            <>
              ; not JSON, and so reported as <code>invalid_policy</code>:
              <ul className="mb-0">
                {notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div className="d-flex gap-2 mt-2">
          <button type="submit" className="btn btn-primary" disabled={busy || policies.length === 0}>
            {busy ? 'Submitting…' : 'Submit batch'}
          </button>
          {example && (
            <button
              type="button"
              className="btn btn-outline-secondary"
              onClick={() => {
                setText(example.text);
                setSource(`examples/validate/${example.name}`);
              }}
            >
              Load the example batch
            </button>
          )}
          <button
            type="button"
            className="btn btn-outline-secondary"
            disabled={text === ''}
            onClick={() => {
              setText('');
              setSource(null);
            }}
          >
            Clear
          </button>
        </div>
        <div className="mt-2">
          <ErrorPanel error={error} title="Submitting the batch" />
        </div>
      </form>
    </section>
  );
}

function FindingGroupTable({ group, selected, onOpen }: { group: FindingGroup; selected: number | null; onOpen: (row: FindingRow) => void }) {
  const columns: Column<FindingRow>[] = [
    { key: 'n', header: '#', render: (r) => r.index + 1, sortValue: (r) => r.index, className: 'text-end' },
    { key: 'policy', header: 'Policy', render: (r) => r.policyId ?? <em>no policy_id</em>, sortValue: (r) => r.policyId ?? '' },
    {
      key: 'severity',
      header: 'Severity',
      render: (r) => <span className={`badge ${r.finding.severity === 'warning' ? 'text-bg-warning' : 'text-bg-danger'}`}>{r.finding.severity}</span>,
      sortValue: (r) => r.finding.severity,
    },
    { key: 'message', header: 'Message', render: (r) => r.finding.message },
    {
      key: 'document',
      header: 'Document',
      render: (r) => (r.finding.document ? <code>{r.finding.document}</code> : r.finding.documents?.length ? `one of ${r.finding.documents.join(', ')}` : ''),
      sortValue: (r) => r.finding.document ?? '',
    },
  ];
  const id = `finding-${group.code}`;
  return (
    <section aria-labelledby={id} className="mb-3">
      <h5 id={id} className="h6">
        <code>{group.code}</code> <span className="badge text-bg-secondary">{group.count}</span>{' '}
        <span className="fw-normal small">
          {plural(group.count, 'finding')} in {plural(group.policies, 'policy', 'policies')}
          {group.warnings > 0 ? ` (${plural(group.errors, 'error')}, ${plural(group.warnings, 'warning')})` : ''}
        </span>
      </h5>
      <DataTable
        caption={`Policies with ${group.code}: select one to open its findings and explain`}
        columns={columns}
        rows={group.rows}
        rowKey={(r) => `${r.index}:${r.nth}`}
        selectedKeys={selected === null ? [] : group.rows.filter((r) => r.index === selected).map((r) => `${r.index}:${r.nth}`)}
        onSelect={onOpen}
      />
    </section>
  );
}

function BatchResults({ v }: { v: Validation }) {
  const { client } = useAuth();
  const [params, setParams] = useSearchParams();
  const results = useAsync((signal) => client.validationResults(v.id, signal), [client, v.id]);
  const parsed = useMemo(() => {
    if (results.data === undefined) return null;
    try {
      return { rows: parseResults(results.data), error: null };
    } catch (e) {
      return { rows: [], error: e };
    }
  }, [results.data]);
  const rows = parsed?.rows ?? [];
  const groups = useMemo(() => groupByCode(rows), [rows]);
  const input = submitted.get(v.id);
  const inputs = useMemo(() => (input === undefined ? null : splitPolicies(input)), [input]);
  const chosen = Number(params.get('policy'));
  const selected = Number.isInteger(chosen) && chosen >= 1 && chosen <= rows.length ? chosen - 1 : null;
  const report = useRef<HTMLHeadingElement>(null);
  const focusReport = useRef(false);

  useEffect(() => {
    if (selected === null || !focusReport.current) return;
    focusReport.current = false;
    report.current?.focus();
    report.current?.scrollIntoView({ block: 'start' });
  }, [selected]);

  const open = (index: number | null) => {
    const next = new URLSearchParams(params);
    if (index === null || index === selected) next.delete('policy');
    else {
      next.set('policy', String(index + 1));
      focusReport.current = true;
    }
    setParams(next, { replace: true });
  };

  const clean = rows.filter((r) => r.findings.length === 0).length;
  const result = selected === null ? undefined : rows[selected];
  const line = selected === null ? undefined : inputs?.[selected];
  const title = selected === null ? '' : `Policy ${selected + 1} of ${rows.length}${line ? ` (line ${line.line} of the upload)` : ''}`;

  return (
    <div className="mt-3">
      <ErrorPanel error={results.error} title="Loading the results" onRetry={results.reload} />
      <ErrorPanel error={parsed?.error} title="Reading the results" />
      {results.loading && !results.data && <span className="spinner-border spinner-border-sm" role="status" aria-label="Loading the results" />}
      {parsed && !parsed.error && (
        <>
          <div className="d-flex align-items-center gap-3 flex-wrap">
            <h4 className="h6 mb-0">Results by finding</h4>
            <button type="button" className="btn btn-link btn-sm p-0" onClick={() => saveBlob(new Blob([results.data ?? ''], { type: 'application/x-ndjson' }), `${v.id}-results.jsonl`)}>
              Download {v.id}-results.jsonl
            </button>
          </div>
          <p className="small text-body-secondary">
            {plural(groups.length, 'finding code')}; {plural(clean, 'policy', 'policies')} without findings.{' '}
            {input === undefined ? 'This batch was not submitted from this tab: a policy opens with its findings only.' : 'A policy opens with its findings beside the explain of its quote.'}
          </p>
          {result && (
            <div className="card mb-3">
              <div className="card-body">
                <PolicyReport
                  ref={report}
                  level={4}
                  title={title}
                  result={result}
                  policy={line?.parsed.ok ? line.parsed.value : undefined}
                  unknownPolicy={
                    line
                      ? 'This line of the upload is not JSON: there is no quote to explain.'
                      : "This batch was not submitted from this tab, so the policy's quote is not known here: only its findings are shown."
                  }
                />
                <button type="button" className="btn btn-sm btn-outline-secondary mt-2" onClick={() => open(null)}>
                  Close policy
                </button>
              </div>
            </div>
          )}
          {groups.map((g) => (
            <FindingGroupTable key={g.code} group={g} selected={selected} onOpen={(r) => open(r.index)} />
          ))}
        </>
      )}
    </div>
  );
}

function BatchDetails({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { client, role } = useAuth();
  const validation = useAsync((signal) => client.validation(id, signal), [client, id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const v = validation.data;
  usePolling(validation.reload, POLL_MS, !!v && isActive(v.status));

  // The list shows the status too: refresh it when this one changes.
  useOnChange(v?.status, onChanged);

  const cancel = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await client.cancelValidation(id);
      validation.reload();
      onChanged();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const s = v?.summary;
  return (
    <section className="card mt-3" aria-label={`Batch ${id}`}>
      <div className="card-body">
        <h3 className="h5 card-title text-break">
          Batch <code>{id}</code> {v && <StatusBadge status={v.status} />}
        </h3>
        <ErrorPanel error={validation.error} title="Loading the batch" onRetry={validation.reload} />
        <ErrorPanel error={actionError} />
        {v && (
          <>
            <dl className="row small mb-2">
              <dt className="col-sm-3">Progress</dt>
              <dd className="col-sm-9">
                <BatchProgress v={v} />
              </dd>
              {v.catalog_version !== undefined && (
                <>
                  <dt className="col-sm-3">Catalog version</dt>
                  <dd className="col-sm-9">{v.catalog_version}</dd>
                </>
              )}
              {v.attempts !== undefined && (
                <>
                  <dt className="col-sm-3">Attempts</dt>
                  <dd className="col-sm-9">
                    {v.attempts} of {v.max_attempts}
                  </dd>
                </>
              )}
              <dt className="col-sm-3">Created</dt>
              <dd className="col-sm-9">{formatTime(v.created_at)}</dd>
              {v.finished_at && (
                <>
                  <dt className="col-sm-3">Finished</dt>
                  <dd className="col-sm-9">{formatTime(v.finished_at)}</dd>
                </>
              )}
            </dl>
            {canGenerate(role) && (
              <div className="d-flex gap-2 mb-3">
                <button type="button" className="btn btn-sm btn-outline-danger" disabled={busy || !isActive(v.status)} onClick={() => void cancel()}>
                  Cancel
                </button>
              </div>
            )}
            {v.errors && v.errors.length > 0 && <Findings findings={v.errors} caption="Errors" />}
            {s && (
              <div className="row g-3">
                <div className="col-md-4">
                  <table className="table table-sm small mb-0">
                    <caption className="caption-top fw-semibold">Summary</caption>
                    <tbody>
                      <tr>
                        <th scope="row">Policies</th>
                        <td className="text-end">{s.policies}</td>
                      </tr>
                      <tr>
                        <th scope="row">OK</th>
                        <td className="text-end">{s.ok}</td>
                      </tr>
                      <tr>
                        <th scope="row">With errors</th>
                        <td className="text-end">{s.with_errors}</td>
                      </tr>
                      <tr>
                        <th scope="row">With warnings</th>
                        <td className="text-end">{s.with_warnings}</td>
                      </tr>
                    </tbody>
                  </table>
                </div>
                <div className="col-md-8">
                  <table className="table table-sm small mb-0">
                    <caption className="caption-top fw-semibold">Findings by code</caption>
                    <thead>
                      <tr>
                        <th scope="col">Code</th>
                        <th scope="col" className="text-end">
                          Findings
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {Object.entries(s.findings_by_code).map(([code, n]) => (
                        <tr key={code}>
                          <td>
                            <a href={`#finding-${code}`}>
                              <code>{code}</code>
                            </a>
                          </td>
                          <td className="text-end">{n}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {Object.keys(s.findings_by_code).length === 0 && <p className="small text-body-secondary">No findings.</p>}
                </div>
              </div>
            )}
            {v.status === 'succeeded' && <BatchResults v={v} />}
          </>
        )}
      </div>
    </section>
  );
}

export function ValidatorBatches() {
  const { client, role } = useAuth();
  const [params, setParams] = useSearchParams();
  const list = useAsync((signal) => client.listValidations(signal), [client]);
  const rows = list.data?.validations;
  usePolling(list.reload, POLL_MS, rows?.some((v) => isActive(v.status)) ?? false);
  const selected = params.get('batch');

  const choose = (id: string | null) => {
    const next = new URLSearchParams(params);
    next.delete('policy');
    if (id === null || id === selected) next.delete('batch');
    else next.set('batch', id);
    setParams(next, { replace: true });
  };

  const columns: Column<Validation>[] = [
    { key: 'id', header: 'Batch', render: (v) => <code className="small">{v.id}</code> },
    { key: 'status', header: 'Status', render: (v) => <StatusBadge status={v.status} />, sortValue: (v) => v.status },
    { key: 'progress', header: 'Progress', render: (v) => <BatchProgress v={v} />, sortValue: (v) => v.progress.percent },
    { key: 'created', header: 'Created', render: (v) => formatTime(v.created_at), sortValue: (v) => v.created_at ?? '' },
    { key: 'policies', header: 'Policies', render: (v) => v.summary?.policies ?? v.progress.policies_total, className: 'text-end' },
    { key: 'summary', header: 'Summary', render: summaryText },
  ];

  return (
    <>
      {canGenerate(role) && (
        <BatchForm
          onSubmitted={(v) => {
            choose(v.id);
            list.reload();
          }}
        />
      )}
      <section aria-labelledby="batches-heading">
        <ListHeading id="batches-heading" title="Batches" loading={list.loading} onRefresh={list.reload} />
        <p className="text-body-secondary small">Newest first; refreshed every {POLL_MS / 1000} s while one is queued or running. Select one for its summary and results.</p>
        <ErrorPanel error={list.error} title="Loading the batches" onRetry={list.reload} />
        {rows && (
          <DataTable caption="Batch validations" columns={columns} rows={rows} rowKey={(v) => v.id} selectedKey={selected} onSelect={(v) => choose(v.id)} empty="No batch validation yet." />
        )}
        {selected && (
          <>
            <BatchDetails key={selected} id={selected} onChanged={list.reload} />
            <button type="button" className="btn btn-sm btn-outline-secondary mt-2" onClick={() => choose(null)}>
              Close batch
            </button>
          </>
        )}
      </section>
    </>
  );
}
