import { useEffect, useMemo, useState } from 'react';
import { ApiError, type DocumentEdition, type DraftSaved } from '../api/client';
import { useAuth } from '../auth';
import { CodeEditor } from '../components/CodeEditor';
import { ErrorPanel } from '../components/ErrorPanel';
import { Findings } from '../components/Findings';
import { catalogCodes, fieldOfPointer, placeFindings, setIn, type Placed } from '../lib/edition';
import { useAsync } from '../lib/hooks';
import { formatPointer } from '../lib/jsonPointer';
import { Link } from '../lib/router';
import { DocumentTemplate } from './DocumentTemplate';
import { EditionForm, type FieldErrors } from './EditionForm';

/** Fields the server must send for a faithful edit (older servers send fewer: the form then refuses to save). */
const NEEDED = ['applies_to', 'attach', 'deletable', 'flag_manual', 'multiple'];

export function DocumentEditorPage({ id }: { id: string }) {
  const { client } = useAuth();
  const source = useAsync(async (signal) => {
    try {
      const draft = await client.getDraft(id, signal);
      return { from: 'draft' as const, editions: draft.editions };
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
    }
    const current = await client.document(id, signal);
    return { from: 'catalog' as const, editions: current.documents as DocumentEdition[] };
  }, [client, id]);
  // The codes applies_to may use: the catalog's declared ones when the server lists them, else those its documents use.
  const codes = useAsync(async (signal) => {
    const [summary, docs] = await Promise.all([client.catalog(signal).catch(() => null), client.documents(signal).catch(() => null)]);
    return catalogCodes(summary, docs?.documents ?? []);
  }, [client]);
  const [editions, setEditions] = useState<DocumentEdition[] | null>(null);
  const [index, setIndex] = useState(0);
  const [rawMode, setRawMode] = useState(false);
  const [raw, setRaw] = useState('');
  const [saved, setSaved] = useState<DraftSaved | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Findings of the last save placed on the fields they are about (cleared field by field as they are edited).
  const [placed, setPlaced] = useState<Placed[]>([]);
  // The editions as the server last sent them (loaded, or answered to a save).
  const [serverEditions, setServerEditions] = useState<DocumentEdition[] | null>(null);
  // Bumped on every saved document draft (the template preview refreshes).
  const [savedTick, setSavedTick] = useState(0);

  useEffect(() => {
    if (source.data) {
      setServerEditions(source.data.editions);
      setEditions(source.data.editions);
      setRaw(JSON.stringify(source.data.editions, null, 2));
      setIndex(0);
    }
  }, [source.data]);

  const current = editions?.[index];
  // Judged on what the server sent (the form fills in empty objects).
  const sent = serverEditions?.[index];
  const missing = sent ? NEEDED.filter((k) => !(k in sent)) : [];
  let rawError: string | null = null;
  let rawEditions: DocumentEdition[] | null = null;
  if (rawMode) {
    try {
      const v: unknown = JSON.parse(raw);
      if (!Array.isArray(v)) throw new Error('expected an array of editions');
      rawEditions = v as DocumentEdition[];
    } catch (e) {
      rawError = e instanceof Error ? e.message : String(e);
    }
  }

  const fieldErrors = useMemo(() => {
    const out: FieldErrors = {};
    for (const p of placed) if (p.edition === index) (out[p.field] ??= []).push(`${p.finding.message} (${p.finding.code})`);
    return out;
  }, [placed, index]);

  /** Sets one field of the edition shown; its findings from the last save are put away. */
  const update = (path: string[], value: unknown) => {
    if (!editions || !current) return;
    const next = editions.map((e, i) => (i === index ? setIn(e, path, value) : e));
    setEditions(next);
    setRaw(JSON.stringify(next, null, 2));
    const field = fieldOfPointer(formatPointer(path));
    if (field) setPlaced((ps) => ps.filter((p) => !(p.edition === index && p.field === field)));
  };

  const save = async () => {
    const body = rawMode ? rawEditions : editions;
    if (!body) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const result = await client.saveDraft(id, body);
      setSaved(result);
      setPlaced(placeFindings(id, result.editions, result.lint.findings).placed);
      setServerEditions(result.editions);
      setSavedTick((t) => t + 1);
      setEditions(result.editions);
      setRaw(JSON.stringify(result.editions, null, 2));
    } catch (e) {
      // What the person typed stays in the form; findings with a pointer go beside their fields.
      setError(e);
      setPlaced(e instanceof ApiError ? placeFindings(id, body, e.findings).placed : []);
    } finally {
      setBusy(false);
    }
  };

  const variablesText = current?.variables !== undefined ? JSON.stringify(current.variables, null, 2) : '';
  const [varsDraft, setVarsDraft] = useState<string | null>(null);
  let varsError: string | null = null;
  if (varsDraft !== null) {
    try {
      JSON.parse(varsDraft || '{}');
    } catch (e) {
      varsError = e instanceof Error ? e.message : String(e);
    }
  }
  const schemaErrors = fieldErrors.variables;

  return (
    <div>
      <nav aria-label="breadcrumb">
        <ol className="breadcrumb">
          <li className="breadcrumb-item">
            <Link to="documents">Documents</Link>
          </li>
          <li className="breadcrumb-item active" aria-current="page">
            {id}
          </li>
        </ol>
      </nav>
      <h1 className="h3">
        Edit <code>{id}</code>
      </h1>
      <ErrorPanel error={source.error} title="Loading the document" onRetry={source.reload} />
      {source.data && (
        <p className="text-body-secondary">
          {source.data.from === 'draft' ? 'Editing the saved draft.' : 'Starting from the current catalog version; saving creates a draft.'}{' '}
          <Link to="drafts">Drafts and publishing</Link>
        </p>
      )}
      {editions && (
        <>
          <div className="d-flex gap-3 align-items-end mb-3">
            {!rawMode && editions.length > 1 && (
              <div>
                <label htmlFor="edition-pick" className="form-label small mb-0">
                  Edition
                </label>
                <select
                  id="edition-pick"
                  className="form-select form-select-sm"
                  value={index}
                  onChange={(e) => {
                    setIndex(Number(e.target.value));
                    setVarsDraft(null);
                  }}
                >
                  {editions.map((e, i) => (
                    <option key={i} value={i}>
                      {String(e.edition ?? i + 1)}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="form-check form-switch">
              <input className="form-check-input" type="checkbox" role="switch" id="raw-mode" checked={rawMode} onChange={(e) => setRawMode(e.target.checked)} />
              <label className="form-check-label" htmlFor="raw-mode">
                Edit every edition as JSON
              </label>
            </div>
          </div>
          {rawMode ? (
            <>
              <CodeEditor label={`Editions of ${id} as JSON`} value={raw} onChange={setRaw} language="json" className="editor-lg" />
              {rawError && <p className="text-danger small">Not valid: {rawError}</p>}
            </>
          ) : current ? (
            <div className="row g-3">
              <section className="col-xl-7" aria-label={`Fields of edition ${String(current.edition ?? '')} of ${id}`}>
                {missing.length > 0 && (
                  <div className="alert alert-warning" role="status">
                    The server did not send {missing.join(', ')} for this edition: saving from the form could lose them. Use the JSON mode, or a server that
                    sends every edition field.
                  </div>
                )}
                <ErrorPanel error={codes.error} title="Loading the catalog's codes" onRetry={codes.reload} />
                <EditionForm edition={current} codes={codes.data ?? null} errors={fieldErrors} onChange={update} />
              </section>
              <div className="col-xl-5">
                <h2 className="h6">Variables schema (JSON Schema)</h2>
                <CodeEditor
                  key={`${id}-${index}`}
                  label="Variables schema"
                  value={varsDraft ?? variablesText}
                  onChange={(v) => {
                    setVarsDraft(v);
                    try {
                      const parsed: unknown = v.trim() ? JSON.parse(v) : undefined;
                      const next = { ...current };
                      if (parsed === undefined) delete next.variables;
                      else next.variables = parsed;
                      const all = editions.map((e, i) => (i === index ? next : e));
                      setEditions(all);
                      setRaw(JSON.stringify(all, null, 2));
                      setPlaced((ps) => ps.filter((p) => !(p.edition === index && p.field === 'variables')));
                    } catch {
                      // kept in varsDraft until it parses
                    }
                  }}
                  language="json"
                  className="editor-md"
                />
                {varsError && <p className="text-danger small">Not JSON: {varsError}</p>}
                {schemaErrors && (
                  <div className="invalid-feedback d-block">
                    {schemaErrors.map((m, i) => (
                      <div key={i}>{m}</div>
                    ))}
                  </div>
                )}
                <p className="small text-body-secondary mt-1 mb-0">The form an underwriter fills in from this schema is beside the preview below, with sample values.</p>
              </div>
            </div>
          ) : (
            <p>This document has no editions (the draft removes it).</p>
          )}
          <div className="d-flex gap-2 mt-3 align-items-center">
            <button type="button" className="btn btn-primary" disabled={busy || (rawMode ? !!rawError : missing.length > 0 || !!varsError)} onClick={() => void save()}>
              {busy ? 'Saving…' : 'Save draft'}
            </button>
            {placed.some((p) => p.edition === index) && !rawMode && <span className="small text-danger">Lint findings are shown beside their fields.</span>}
          </div>
        </>
      )}
      <div className="mt-3" aria-live="polite">
        <ErrorPanel error={error} title="Saving the draft (your edits are kept)" />
        {saved && (
          <div className={`alert ${saved.lint.valid ? 'alert-success' : 'alert-warning'}`} role="status">
            Draft saved. {saved.lint.valid ? 'Lint finds no errors.' : 'Lint finds errors: publishing is refused until they are fixed.'}
            <Findings findings={saved.lint.findings} caption="Lint findings" />
          </div>
        )}
      </div>
      {!rawMode && sent && typeof sent.template === 'string' && sent.template !== '' && (
        <>
          {current && current.template !== sent.template && (
            <p className="small text-warning-emphasis mt-3 mb-0">
              The form names the template <code>{String(current.template)}</code>; the one below is the saved edition's. Save the draft to edit the new one.
            </p>
          )}
          <DocumentTemplate
            client={client}
            id={id}
            edition={sent.edition !== undefined && sent.edition !== null ? String(sent.edition) : undefined}
            path={sent.template}
            variables={current?.variables ?? sent.variables}
            savedTick={savedTick}
          />
        </>
      )}
    </div>
  );
}
