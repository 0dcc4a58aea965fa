import { useMemo, useState } from 'react';
import { ApiError, type Diagnostic, type ExplainEntry, type Package } from '../api/client';
import { useAuth } from '../auth';
import { CodeEditor, type EditorDiagnostic } from '../components/CodeEditor';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { ExplainTable } from '../components/ExplainTable';
import { FilterBar } from '../components/FilterBar';
import { Findings } from '../components/Findings';
import { PdfViewer } from '../components/PdfViewer';
import { exampleQuotes } from '../examples';
import { applyFilters, prepare, type FilterDef } from '../filters/engine';
import { describeJsonError, parseJson } from '../lib/json';
import { jsonTree, locatePointer, type PointerLocation } from '../lib/jsonPointer';
import { quotePointer } from '../lib/quotePointer';
import { useFilterState } from '../lib/useFilterState';

const explainFilters: FilterDef<ExplainEntry>[] = [
  { key: 'explain_q', label: 'Search explain', kind: 'text', placeholder: 'id or reason', get: (e) => [e.id, e.edition, ...e.reasons] },
  { key: 'eligible', label: 'Eligible', kind: 'boolean', get: (e) => e.eligible },
  { key: 'attached', label: 'Attached', kind: 'boolean', get: (e) => e.instances > 0 },
];

type Locate = (d: Diagnostic) => PointerLocation | null;

function PackageView({ pkg, locate, onPointer }: { pkg: Package; locate: Locate; onPointer: (d: Diagnostic) => void }) {
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
      <Findings findings={pkg.errors} caption="Errors" onPointer={onPointer} canLocate={(d) => locate(d) !== null} />
      {pkg.errors.some((d) => locate(d) !== null) && (
        <p className="small text-body-secondary">Errors with a JSON Pointer are marked in the quote; press a pointer to go to its place.</p>
      )}
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
  const [goto, setGoto] = useState<{ from: number; to: number; seq: number } | null>(null);

  // The errors of the package (resolve) or of the refused render, each at the place in the quote its pointer designates.
  const errors: Diagnostic[] = [...(pkg?.errors ?? []), ...(error instanceof ApiError && !pkg ? error.findings : [])];
  const tree = useMemo(() => (parsed.ok ? jsonTree(text) : null), [text, parsed.ok]);
  const locate: Locate = (d) => {
    if (!parsed.ok || !tree) return null;
    const pointer = quotePointer(d, parsed.value);
    return pointer === null ? null : locatePointer(text, pointer, tree);
  };
  const diagnostics: EditorDiagnostic[] = [];
  for (const d of errors) {
    const at = locate(d);
    if (!at) continue;
    const where = at.exact ? '' : ` (missing: marked at ${at.pointer === '' ? 'the quote' : at.pointer})`;
    diagnostics.push({ from: at.from, to: at.to, severity: d.severity === 'warning' ? 'warning' : 'error', message: `${d.code}: ${d.message}${where}` });
  }
  const showPointer = (d: Diagnostic) => {
    const at = locate(d);
    if (at) setGoto((g) => ({ from: at.anchor, to: at.exact ? at.to : at.anchor, seq: (g?.seq ?? 0) + 1 }));
  };

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
          <CodeEditor label="Quote JSON" value={text} onChange={setText} language="json" className="editor-lg" diagnostics={diagnostics} goto={goto} />
          {diagnostics.length > 0 && (
            <p className="small text-danger mt-1 mb-0">
              {diagnostics.length} error{diagnostics.length === 1 ? '' : 's'} marked in the quote (hover the marks, or press a pointer in the errors).
            </p>
          )}
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
          <ErrorPanel
            error={error}
            title={error instanceof ApiError && error.code === 'invalid_package' ? 'The quote is invalid' : undefined}
            onPointer={showPointer}
            canLocate={(d) => locate(d) !== null}
          />
          {pkg && <PackageView pkg={pkg} locate={locate} onPointer={showPointer} />}
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
