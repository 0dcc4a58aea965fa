import { useEffect, useState } from 'react';
import type { RJSFSchema } from '@rjsf/utils';
import { ApiError, type DocumentEdition, type DraftSaved } from '../api/client';
import { useAuth } from '../auth';
import { CodeEditor } from '../components/CodeEditor';
import { ErrorPanel } from '../components/ErrorPanel';
import { Findings } from '../components/Findings';
import { JsonSchemaForm } from '../components/JsonSchemaForm';
import { useAsync } from '../lib/hooks';
import { Link } from '../lib/router';
import { DocumentTemplate } from './DocumentTemplate';

const list = (title: string): RJSFSchema => ({ type: 'array', title, items: { type: 'string' } });
const mode: RJSFSchema = { type: 'string', enum: ['yes', 'no', 'copy'] };

/** The fields of an edition (SPEC section 1) that the form edits; `variables` is edited as JSON. */
const EDITION_SCHEMA: RJSFSchema = {
  type: 'object',
  required: ['edition', 'title', 'kind', 'order', 'template'],
  properties: {
    edition: { type: 'string', title: 'Edition' },
    title: { type: 'string', title: 'Title' },
    kind: { type: 'string', title: 'Kind', enum: ['declarations', 'form', 'endorsement', 'notice'] },
    order: { type: 'integer', title: 'Order' },
    template: { type: 'string', title: 'Template' },
    applies_to: {
      type: 'object',
      title: 'Applies to (empty lists: any)',
      properties: {
        products: list('Products'),
        jurisdictions: list('Jurisdictions'),
        agencies: list('Agencies'),
        coverages: list('Coverages'),
        coverages_match: { type: 'string', title: 'Coverages match', enum: ['any', 'all'] },
        effective: {
          type: 'object',
          title: 'Effective',
          properties: { from: { type: 'string', title: 'From (YYYY-MM-DD)' }, until: { type: 'string', title: 'Until (YYYY-MM-DD)' } },
        },
      },
    },
    attach: {
      type: 'object',
      title: 'Attach',
      properties: { new: { ...mode, title: 'New' }, renewal: { ...mode, title: 'Renewal' }, reissue: { ...mode, title: 'Reissue' } },
    },
    deletable: { type: 'boolean', title: 'Deletable' },
    flag_manual: { type: 'boolean', title: 'Flag manual' },
    multiple: { type: 'boolean', title: 'Multiple' },
  },
};

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
  const [editions, setEditions] = useState<DocumentEdition[] | null>(null);
  const [index, setIndex] = useState(0);
  const [rawMode, setRawMode] = useState(false);
  const [raw, setRaw] = useState('');
  const [saved, setSaved] = useState<DraftSaved | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
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

  const update = (patch: DocumentEdition) => {
    if (!editions) return;
    const next = editions.map((e, i) => (i === index ? { ...e, ...patch } : e));
    setEditions(next);
    setRaw(JSON.stringify(next, null, 2));
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
      setServerEditions(result.editions);
      setSavedTick((t) => t + 1);
      setEditions(result.editions);
      setRaw(JSON.stringify(result.editions, null, 2));
    } catch (e) {
      setError(e);
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
                <select id="edition-pick" className="form-select form-select-sm" value={index} onChange={(e) => {
                    setIndex(Number(e.target.value));
                    setVarsDraft(null);
                  }}>
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
              <div className="col-lg-6">
                {missing.length > 0 && (
                  <div className="alert alert-warning" role="status">
                    The server did not send {missing.join(', ')} for this edition: saving from the form could lose them. Use the JSON mode, or a server that
                    sends every edition field.
                  </div>
                )}
                <JsonSchemaForm label={`Edition ${String(current.edition ?? '')} of ${id}`} schema={EDITION_SCHEMA} formData={current} onChange={(d) => update(d as DocumentEdition)} />
              </div>
              <div className="col-lg-6">
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
                    } catch {
                      // kept in varsDraft until it parses
                    }
                  }}
                  language="json"
                  className="editor-md"
                />
                {varsError && <p className="text-danger small">Not JSON: {varsError}</p>}
              </div>
            </div>
          ) : (
            <p>This document has no editions (the draft removes it).</p>
          )}
          <div className="d-flex gap-2 mt-3">
            <button type="button" className="btn btn-primary" disabled={busy || (rawMode ? !!rawError : missing.length > 0 || !!varsError)} onClick={() => void save()}>
              {busy ? 'Saving…' : 'Save draft'}
            </button>
          </div>
        </>
      )}
      <div className="mt-3" aria-live="polite">
        <ErrorPanel error={error} title="Saving the draft" />
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
            variables={sent.variables}
            savedTick={savedTick}
          />
        </>
      )}
    </div>
  );
}
