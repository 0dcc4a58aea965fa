import { useMemo, useState } from 'react';
import { ApiError, type ExplainEntry, type Package } from '../api/client';
import { useAuth } from '../auth';
import { CodeEditor } from '../components/CodeEditor';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { ExplainTable } from '../components/ExplainTable';
import { FilterBar } from '../components/FilterBar';
import { Findings } from '../components/Findings';
import { PdfViewer } from '../components/PdfViewer';
import { exampleQuotes } from '../examples';
import { applyFilters, prepare, type FilterDef } from '../filters/engine';
import { describeJsonError, parseJson } from '../lib/json';
import { useFilterState } from '../lib/useFilterState';

const explainFilters: FilterDef<ExplainEntry>[] = [
  { key: 'explain_q', label: 'Search explain', kind: 'text', placeholder: 'id or reason', get: (e) => [e.id, e.edition, ...e.reasons] },
  { key: 'eligible', label: 'Eligible', kind: 'boolean', get: (e) => e.eligible },
  { key: 'attached', label: 'Attached', kind: 'boolean', get: (e) => e.instances > 0 },
];

function PackageView({ pkg }: { pkg: Package }) {
  const [state, setState] = useFilterState(explainFilters);
  const prepared = useMemo(() => prepare(explainFilters, pkg.explain), [pkg]);
  const result = useMemo(() => applyFilters(prepared, state), [prepared, state]);
  const docColumns: Column<Package['documents'][number]>[] = [
    { key: 'n', header: '#', render: (d) => pkg.documents.indexOf(d) + 1, className: 'text-end' },
    { key: 'id', header: 'Id', render: (d) => <code>{d.id}</code> },
    { key: 'instance', header: 'Instance', render: (d) => d.instance, className: 'text-end' },
    { key: 'edition', header: 'Edition', render: (d) => d.edition },
    { key: 'title', header: 'Title', render: (d) => d.title },
    { key: 'kind', header: 'Kind', render: (d) => d.kind },
    { key: 'source', header: 'Source', render: (d) => <span className="badge text-bg-light border">{d.source}</span> },
    {
      key: 'variables',
      header: 'Variables',
      render: (d) => (Object.keys(d.variables).length ? <code className="small text-break">{JSON.stringify(d.variables)}</code> : ''),
    },
  ];
  return (
    <div>
      <p>
        Quote <strong>{pkg.quote_id ?? <em>none</em>}</strong>, transaction <strong>{pkg.transaction ?? <em>none</em>}</strong>, catalog {pkg.catalog.name}
        {pkg.catalog.version !== undefined ? ` v${pkg.catalog.version}` : ''}:{' '}
        {pkg.valid ? <span className="badge text-bg-success">valid</span> : <span className="badge text-bg-danger">invalid</span>}
      </p>
      <Findings findings={pkg.errors} caption="Errors" />
      <h2 className="h5 mt-3">Documents ({pkg.documents.length})</h2>
      <DataTable caption="Package documents" columns={docColumns} rows={pkg.documents} rowKey={(d) => `${d.id}#${d.instance}`} empty="No documents." />
      <h2 className="h5 mt-3">Review ({pkg.review.length})</h2>
      {pkg.review.length === 0 ? (
        <p className="small text-body-secondary">Nothing to review.</p>
      ) : (
        <ul>
          {pkg.review.map((r) => (
            <li key={`${r.id}-${r.reason}`}>
              <code>{r.id}</code>: {r.reason === 'flag_manual' ? 'flagged for manual review' : r.reason === 'dropped_from_prior' ? 'dropped from the prior package' : r.reason}
              {r.attached ? ' (attached)' : ' (not attached)'}
            </li>
          ))}
        </ul>
      )}
      <h2 className="h5 mt-3">Explain</h2>
      <FilterBar prepared={prepared} result={result} state={state} onChange={setState} noun="editions" />
      <ExplainTable caption="Why each edition was or was not chosen" rows={result.rows} />
    </div>
  );
}

export function PreviewPage() {
  const { client } = useAuth();
  const [, , params, setParams] = useFilterState(explainFilters);
  const chosen = params.get('quote') ?? exampleQuotes[0]?.name ?? '';
  const example = exampleQuotes.find((q) => q.name === chosen);
  const [text, setText] = useState<string>(example?.text ?? '{\n}\n');
  const [loadedFor, setLoadedFor] = useState(chosen);
  const [pkg, setPkg] = useState<Package | null>(null);
  const [pdf, setPdf] = useState<Blob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'resolve' | 'render' | null>(null);

  if (loadedFor !== chosen && example) {
    setLoadedFor(chosen);
    setText(example.text);
    setPkg(null);
    setPdf(null);
    setError(null);
  }

  const parsed = parseJson(text);

  const run = async (what: 'resolve' | 'render') => {
    if (!parsed.ok) return;
    setBusy(what);
    setError(null);
    try {
      if (what === 'resolve') {
        setPkg(await client.resolve(parsed.value));
      } else {
        setPdf(await client.render(parsed.value));
      }
    } catch (e) {
      setError(e);
      if (what === 'render') setPdf(null);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div>
      <h1 className="h3">Package preview</h1>
      <div className="row g-3">
        <div className="col-lg-5">
          <label htmlFor="example-quote" className="form-label">
            Example quote
          </label>
          <select
            id="example-quote"
            className="form-select mb-2"
            value={example ? chosen : ''}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set('quote', e.target.value);
              setParams(next);
            }}
          >
            {!example && <option value="">(pasted)</option>}
            {exampleQuotes.map((q) => (
              <option key={q.name} value={q.name}>
                {q.name}
              </option>
            ))}
          </select>
          <CodeEditor label="Quote JSON" value={text} onChange={setText} language="json" className="editor-lg" />
          {!parsed.ok && (
            <p className="text-danger small mt-1" role="status">
              Not JSON: {describeJsonError(parsed.error)}
            </p>
          )}
          <div className="d-flex gap-2 mt-2">
            <button type="button" className="btn btn-primary" disabled={!parsed.ok || busy !== null} onClick={() => void run('resolve')}>
              {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
            </button>
            <button type="button" className="btn btn-outline-primary" disabled={!parsed.ok || busy !== null} onClick={() => void run('render')}>
              {busy === 'render' ? 'Rendering…' : 'Render PDF'}
            </button>
          </div>
        </div>
        <div className="col-lg-7">
          <ErrorPanel error={error} title={error instanceof ApiError && error.code === 'invalid_package' ? 'The quote is invalid' : undefined} />
          {pkg && <PackageView pkg={pkg} />}
          {!pkg && !error && <p className="text-body-secondary">Resolve the quote to see its package: documents, review, errors and explain.</p>}
        </div>
      </div>
      {pdf && (
        <div className="mt-4">
          <h2 className="h5">PDF</h2>
          <PdfViewer data={pdf} label="Rendered package PDF" />
        </div>
      )}
    </div>
  );
}
