// The template of an edition in the document editor: edited as Markdown,
// saved as a template draft, and previewed as a PDF of the document with the
// drafts applied (POST /v1/catalog/drafts:preview), refreshed after saves.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError, type ApiClient, type Diagnostic, type TemplateDraftSaved } from '../api/client';
import { CodeEditor } from '../components/CodeEditor';
import { ErrorPanel } from '../components/ErrorPanel';
import { Findings } from '../components/Findings';
import { PdfViewer } from '../components/PdfViewer';
import { exampleQuotes } from '../examples';
import { useAsync } from '../lib/hooks';
import { sampleVars } from '../lib/sampleVars';

/** Delay between a save and the preview it refreshes. */
export const PREVIEW_DEBOUNCE_MS = 800;

const DEFAULT_QUOTE = exampleQuotes.find((q) => q.name === 'new-ca-basic')?.name ?? exampleQuotes[0]?.name ?? '';

const status = (e: unknown) => (e instanceof ApiError ? e.status : -1);

/** The template's text as publishing the drafts would have it: the drafted view, else the draft, else the published text. */
async function loadTemplate(client: ApiClient, id: string, path: string, signal: AbortSignal): Promise<{ text: string; from: string }> {
  try {
    const drafted = await client.document(id, signal, 'drafts');
    const text = drafted.templates?.[path];
    if (text !== undefined) return { text, from: 'the catalog with the drafts applied' };
  } catch (e) {
    // 422: the drafts have lint errors; 404: the id is only in a draft; 409: no catalog yet.
    if (![404, 409, 422].includes(status(e))) throw e;
  }
  try {
    return { text: (await client.getTemplateDraft(path, signal)).text, from: 'its draft' };
  } catch (e) {
    if (status(e) !== 404) throw e;
  }
  try {
    const current = await client.document(id, signal);
    const text = current.templates?.[path];
    if (text !== undefined) return { text, from: 'the current version' };
  } catch (e) {
    if (status(e) !== 404) throw e;
  }
  return { text: '', from: 'nowhere (a new template)' };
}

function parseObject(text: string, what: string): Record<string, unknown> {
  if (!text.trim()) return {};
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

export interface DocumentTemplateProps {
  client: ApiClient;
  id: string;
  /** The saved edition to preview (undefined: the server picks the latest). */
  edition: string | undefined;
  /** The edition's template path (as saved). */
  path: string;
  /** The edition's variables schema, for the sample variables. */
  variables: unknown;
  /** Bumped when the document's draft is saved: refreshes the preview too. */
  savedTick: number;
}

export function DocumentTemplate({ client, id, edition, path, variables, savedTick }: DocumentTemplateProps) {
  const uid = useId();
  const loaded = useAsync((signal) => loadTemplate(client, id, path, signal), [client, id, path]);
  // What the person typed, by path: switching editions or a failed save loses nothing.
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [savedTexts, setSavedTexts] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<TemplateDraftSaved | null>(null);

  const base = savedTexts[path] ?? loaded.data?.text;
  const text = texts[path] ?? base ?? '';
  const dirty = base !== undefined && text !== base;

  // Preview inputs: sample variables of the schema (reset per edition), an optional example quote.
  const sample = useMemo(() => JSON.stringify(sampleVars(variables), null, 2), [variables]);
  const varsKey = `${id}\u0000${edition ?? ''}`;
  const [vars, setVars] = useState<{ key: string; text: string } | null>(null);
  const varsText = vars && vars.key === varsKey ? vars.text : sample;
  // Templates read the quote ({{quote.insured.name}}…): an example quote by default.
  const [quoteName, setQuoteName] = useState(DEFAULT_QUOTE);
  const [auto, setAuto] = useState(true);

  const [pdf, setPdf] = useState<Blob | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const [stale, setStale] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const inflight = useRef<AbortController | null>(null);

  let inputError: string | null = null;
  let request: { vars: Record<string, unknown>; quote?: Record<string, unknown> } | null = null;
  try {
    const v = parseObject(varsText, 'The variables');
    const q = quoteName ? parseObject(exampleQuotes.find((x) => x.name === quoteName)?.text ?? '{}', 'The quote') : undefined;
    request = q ? { vars: v, quote: q } : { vars: v };
  } catch (e) {
    inputError = e instanceof Error ? e.message : String(e);
  }
  const requestRef = useRef(request);
  requestRef.current = request;

  const preview = useCallback(async () => {
    window.clearTimeout(timer.current);
    const req = requestRef.current;
    if (!req) return;
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setPreviewing(true);
    try {
      const blob = await client.previewDraft({ document: id, ...(edition !== undefined ? { edition } : {}), ...req }, controller.signal);
      if (controller.signal.aborted) return;
      setPdf(blob);
      setPreviewError(null);
      setStale(false);
    } catch (e) {
      if (controller.signal.aborted) return;
      setPreviewError(e);
      setStale(true);
    } finally {
      if (inflight.current === controller) {
        inflight.current = null;
        setPreviewing(false);
      }
    }
  }, [client, id, edition]);

  const schedule = useCallback(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void preview(), PREVIEW_DEBOUNCE_MS);
  }, [preview]);

  // The document's draft was saved: its preview changed too.
  const autoRef = useRef(auto);
  autoRef.current = auto;
  useEffect(() => {
    if (savedTick > 0 && autoRef.current) schedule();
  }, [savedTick, schedule]);

  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      inflight.current?.abort();
    },
    [],
  );

  const save = async () => {
    const body = text;
    setSaving(true);
    setSaveError(null);
    setSaved(null);
    try {
      const result = await client.saveTemplateDraft(path, body);
      setSaved(result);
      setSavedTexts((s) => ({ ...s, [path]: body }));
      if (auto) schedule();
    } catch (e) {
      // The text stays in the editor (texts[path]) for another try.
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const previewFindings: Diagnostic[] = previewError instanceof ApiError ? previewError.findings : [];
  const inThisFile = previewFindings.filter((d) => d.line !== undefined && (!d.file || d.file === path || path.endsWith(d.file)));

  return (
    <section className="mt-4" aria-labelledby={`${uid}-h`}>
      <h2 className="h5" id={`${uid}-h`}>
        Template <code>{path}</code>
      </h2>
      <ErrorPanel error={loaded.error} title="Loading the template" onRetry={loaded.reload} />
      <div className="row g-3">
        <div className="col-lg-6">
          {loaded.data && (
            <p className="small text-body-secondary mb-1">
              Loaded from {loaded.data.from}. Saving writes a template draft; publishing the drafts puts it in the next version.
            </p>
          )}
          {loaded.loading && !loaded.data ? (
            <p aria-busy="true">Loading the template…</p>
          ) : (
            <CodeEditor
              label={`Template ${path} (Markdown)`}
              value={text}
              onChange={(v) => setTexts((t) => ({ ...t, [path]: v }))}
              language="markdown"
              className="editor-lg"
            />
          )}
          <div className="d-flex gap-2 align-items-center mt-2">
            <button type="button" className="btn btn-primary" disabled={saving || !!loaded.error || (loaded.loading && !loaded.data)} onClick={() => void save()}>
              {saving ? 'Saving…' : 'Save template draft'}
            </button>
            <span className="small text-body-secondary" aria-live="polite">
              {dirty ? 'Unsaved changes (the preview shows the saved drafts).' : savedTexts[path] !== undefined ? 'Saved as a draft.' : ''}
            </span>
          </div>
          <div className="mt-2" aria-live="polite">
            <ErrorPanel error={saveError} title="Saving the template draft (your text is kept)" />
            {saved && (
              <div className={`alert ${saved.lint.valid ? 'alert-success' : 'alert-warning'} small`} role="status">
                Template draft saved ({saved.bytes} bytes). {saved.lint.valid ? 'Lint finds no errors.' : 'Lint finds errors: the preview and publishing are refused until they are fixed.'}
                {saved.lint.findings.length > 0 && <Findings findings={saved.lint.findings} caption="Lint findings" />}
              </div>
            )}
            {inThisFile.length > 0 && (
              <div className="alert alert-danger small" role="alert">
                <h3 className="h6 mb-1">Preview errors in this template</h3>
                <ul className="mb-0">
                  {inThisFile.map((d, i) => (
                    <li key={i}>
                      Line {d.line}
                      {d.column ? `:${d.column}` : ''}: {d.message} (<code>{d.code}</code>)
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <ErrorPanel error={previewError} title="Preview" />
          </div>
        </div>
        <div className="col-lg-6">
          <div className="d-flex flex-wrap gap-3 align-items-end mb-2">
            <div>
              <label htmlFor={`${uid}-quote`} className="form-label small mb-0">
                Quote (example)
              </label>
              <select id={`${uid}-quote`} className="form-select form-select-sm" value={quoteName} onChange={(e) => setQuoteName(e.target.value)}>
                <option value="">none ({'{}'})</option>
                {exampleQuotes.map((q) => (
                  <option key={q.name} value={q.name}>
                    {q.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="form-check">
              <input className="form-check-input" type="checkbox" id={`${uid}-auto`} checked={auto} onChange={(e) => setAuto(e.target.checked)} />
              <label className="form-check-label small" htmlFor={`${uid}-auto`}>
                Refresh after each save
              </label>
            </div>
            <button type="button" className="btn btn-sm btn-outline-primary" disabled={!request || previewing} onClick={() => void preview()}>
              {previewing ? 'Rendering…' : 'Preview'}
            </button>
          </div>
          <details className="mb-2">
            <summary className="small">Preview variables (sample values of the variables schema)</summary>
            <CodeEditor
              key={varsKey}
              label={`Preview variables of ${id} as JSON`}
              value={varsText}
              onChange={(v) => setVars({ key: varsKey, text: v })}
              language="json"
              className="editor-sm"
            />
            <button type="button" className="btn btn-link btn-sm px-0" onClick={() => setVars(null)}>
              Reset to the sample values
            </button>
          </details>
          {inputError && <p className="text-danger small">Not valid: {inputError}</p>}
          <div aria-live="polite" aria-busy={previewing}>
            {stale && pdf && <p className="small text-warning-emphasis">The last preview failed: the PDF below is an older one.</p>}
            {pdf ? (
              <div className="preview-pane border rounded p-2" tabIndex={0} role="region" aria-label={`Preview PDF of ${id}`}>
                <PdfViewer data={pdf} label={`Preview of ${id}${edition ? ` edition ${edition}` : ''}`} />
              </div>
            ) : (
              !previewing && <p className="small text-body-secondary">No preview yet: save the template, or press Preview.</p>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
