// The template of an edition in the document editor: edited as Markdown with
// its Mustache tags highlighted and completed, saved as a template draft, and
// previewed as a PDF of the document with the drafts applied (POST
// /v1/catalog/drafts:preview). With live preview on, typing saves the draft
// and refreshes the PDF once the typing pauses; lint findings and preview
// errors are shown at their line.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { RJSFSchema } from '@rjsf/utils';
import { ApiError, type ApiClient, type Diagnostic, type TemplateDraftSaved } from '../api/client';
import { CodeEditor, type EditorDiagnostic } from '../components/CodeEditor';
import { ErrorPanel } from '../components/ErrorPanel';
import { Findings } from '../components/Findings';
import { JsonSchemaForm } from '../components/JsonSchemaForm';
import { PdfViewer } from '../components/PdfViewer';
import { exampleQuotes } from '../examples';
import { useAsync } from '../lib/hooks';
import { templateNames } from '../lib/mustache';
import { sampleVars } from '../lib/sampleVars';

/** Pause in typing (template or sample values) after which the live preview saves and renders. */
export const PREVIEW_DEBOUNCE_MS = 600;

const DEFAULT_QUOTE = exampleQuotes.find((q) => q.name === 'new-ca-basic')?.name ?? exampleQuotes[0]?.name ?? '';

const status = (e: unknown) => (e instanceof ApiError ? e.status : -1);

/** A finding about this template file (lint and preview name it as the catalog path). */
export function inTemplate(d: Diagnostic, path: string): boolean {
  return d.line !== undefined && !!d.file && (d.file === path || path.endsWith('/' + d.file) || d.file.endsWith('/' + path));
}

const isObjectSchema = (s: unknown): s is RJSFSchema =>
  typeof s === 'object' && s !== null && !Array.isArray(s) && typeof (s as { properties?: unknown }).properties === 'object';

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
  /** The edition's variables schema (as edited), for the sample values, their form and completion. */
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
  const [live, setLive] = useState(true);

  const [pdf, setPdf] = useState<Blob | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const [stale, setStale] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const inflight = useRef<AbortController | null>(null);

  let inputError: string | null = null;
  let request: { vars: Record<string, unknown>; quote?: Record<string, unknown> } | null = null;
  let sampleQuote: Record<string, unknown> | undefined;
  try {
    const v = parseObject(varsText, 'The variables');
    sampleQuote = quoteName ? parseObject(exampleQuotes.find((x) => x.name === quoteName)?.text ?? '{}', 'The quote') : undefined;
    request = sampleQuote ? { vars: v, quote: sampleQuote } : { vars: v };
  } catch (e) {
    inputError = e instanceof Error ? e.message : String(e);
  }
  const requestRef = useRef(request);
  requestRef.current = request;
  // The latest text and what the server has, for saves started by a timer.
  const textRef = useRef(text);
  textRef.current = text;
  const baseRef = useRef(base);
  baseRef.current = base;
  const liveRef = useRef(live);
  liveRef.current = live;

  const completions = useMemo(() => templateNames(variables, sampleQuote), [variables, quoteName]); // eslint-disable-line react-hooks/exhaustive-deps

  // Never clears the typing timer: an edit made while a save and render are
  // in flight has scheduled its own save, which must still happen.
  const preview = useCallback(async () => {
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

  /** Saves `body` as the template draft; false when the save failed (the text stays in the editor). */
  const saveText = useCallback(
    async (body: string): Promise<boolean> => {
      setSaving(true);
      setSaveError(null);
      try {
        const result = await client.saveTemplateDraft(path, body);
        setSaved(result);
        setSavedTexts((s) => ({ ...s, [path]: body }));
        baseRef.current = body;
        return true;
      } catch (e) {
        setSaveError(e);
        return false;
      } finally {
        setSaving(false);
      }
    },
    [client, path],
  );

  // One save-then-render at a time: what is asked meanwhile runs after it, with the latest text.
  const busy = useRef(false);
  const again = useRef<boolean | null>(null);
  /** Saves the text (always when `force`, else when it changed) and, live, renders the preview. */
  const run = useCallback(
    async (force: boolean) => {
      window.clearTimeout(timer.current);
      if (busy.current) {
        again.current = force || again.current === true;
        return;
      }
      busy.current = true;
      try {
        const body = textRef.current;
        const changed = baseRef.current !== undefined && body !== baseRef.current;
        const ok = force || changed ? await saveText(body) : true;
        if (ok && liveRef.current) await preview();
      } finally {
        busy.current = false;
        const next = again.current;
        again.current = null;
        if (next !== null) void run(next);
      }
    },
    [saveText, preview],
  );
  const flush = useCallback(() => run(false), [run]);

  const schedule = useCallback(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void flush(), PREVIEW_DEBOUNCE_MS);
  }, [flush]);

  // The document's draft was saved: its preview changed too.
  useEffect(() => {
    if (savedTick > 0 && liveRef.current) schedule();
  }, [savedTick, schedule]);

  // Sample values or the quote changed: render again (live).
  const firstInputs = useRef(true);
  useEffect(() => {
    if (firstInputs.current) {
      firstInputs.current = false;
      return;
    }
    if (liveRef.current && request) schedule();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [varsText, quoteName]);

  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      inflight.current?.abort();
    },
    [],
  );

  const save = () => void run(true);

  // Live: the first preview as soon as the template is loaded.
  const loadedOnce = useRef(false);
  useEffect(() => {
    if (loaded.data && !loadedOnce.current) {
      loadedOnce.current = true;
      if (liveRef.current) void flush();
    }
  }, [loaded.data, flush]);

  const previewFindings: Diagnostic[] = previewError instanceof ApiError ? previewError.findings : [];
  const inThisFile = previewFindings.filter((d) => inTemplate(d, path));
  const lintHere = (saved?.lint.findings ?? []).filter((d) => inTemplate(d, path));
  // Lint findings and preview errors at their line (one marker per line and message).
  const diagnostics = useMemo<EditorDiagnostic[]>(() => {
    const seen = new Set<string>();
    const out: EditorDiagnostic[] = [];
    for (const d of [...lintHere, ...inThisFile]) {
      const key = `${d.line}:${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ line: d.line, column: d.column, severity: d.severity === 'warning' ? 'warning' : 'error', message: `${d.message} (${d.code})` });
    }
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(lintHere), JSON.stringify(inThisFile)]);

  let varsValue: Record<string, unknown> = {};
  try {
    varsValue = parseObject(varsText, 'The variables');
  } catch {
    // shown as inputError
  }

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
              Loaded from {loaded.data.from}. Saving writes a template draft; publishing the drafts puts it in the next version. Type <kbd>{'{{'}</kbd> for
              the names a template can use (<code>vars.*</code> from the variables schema, <code>doc.*</code>, <code>quote.*</code>); <kbd>Ctrl</kbd>+
              <kbd>Space</kbd> lists them.
            </p>
          )}
          {loaded.loading && !loaded.data ? (
            <p aria-busy="true">Loading the template…</p>
          ) : (
            <CodeEditor
              label={`Template ${path} (Markdown)`}
              value={text}
              onChange={(v) => {
                setTexts((t) => ({ ...t, [path]: v }));
                textRef.current = v;
                if (liveRef.current) schedule();
              }}
              language="mustache"
              className="editor-lg"
              diagnostics={diagnostics}
              completions={completions}
            />
          )}
          <div className="d-flex gap-2 align-items-center mt-2">
            <button type="button" className="btn btn-primary" disabled={saving || !!loaded.error || (loaded.loading && !loaded.data)} onClick={save}>
              {saving ? 'Saving…' : 'Save template draft'}
            </button>
            <span className="small text-body-secondary" aria-live="polite">
              {dirty ? (live ? 'Unsaved changes: saved when you pause typing.' : 'Unsaved changes (the preview shows the saved drafts).') : savedTexts[path] !== undefined ? 'Saved as a draft.' : ''}
            </span>
          </div>
          <div className="mt-2" aria-live="polite">
            <ErrorPanel error={saveError} title="Saving the template draft (your text is kept)" />
            {saved && (
              <div className={`alert ${saved.lint.valid ? 'alert-success' : 'alert-warning'} small`} role="status">
                Template draft saved ({saved.bytes} bytes). {saved.lint.valid ? 'Lint finds no errors.' : 'Lint finds errors: the preview and publishing are refused until they are fixed.'}
                {lintHere.length > 0 && ' Those in this template are marked at their line.'}
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
            <div className="form-check form-switch">
              <input className="form-check-input" type="checkbox" role="switch" id={`${uid}-live`} checked={live} onChange={(e) => setLive(e.target.checked)} aria-describedby={`${uid}-live-help`} />
              <label className="form-check-label small" htmlFor={`${uid}-live`}>
                Live preview
              </label>
              <div id={`${uid}-live-help`} className="form-text mt-0">
                {live ? `Saves the template draft and renders ${PREVIEW_DEBOUNCE_MS} ms after you stop typing.` : 'Off: save and press Preview.'}
              </div>
            </div>
            <button type="button" className="btn btn-sm btn-outline-primary" disabled={!request || previewing} onClick={() => void preview()}>
              {previewing ? 'Rendering…' : 'Preview'}
            </button>
          </div>
          <div className="mb-2">
            <h3 className="h6 mb-1">Sample values</h3>
            {isObjectSchema(variables) ? (
              <div className="sample-form border rounded p-2 mb-1">
                <JsonSchemaForm
                  key={varsKey}
                  label={`Sample values of ${id}'s variables`}
                  schema={variables}
                  formData={varsValue}
                  onChange={(d) => setVars({ key: varsKey, text: JSON.stringify(d ?? {}, null, 2) })}
                />
              </div>
            ) : (
              <p className="small text-body-secondary mb-1">This edition has no variables.</p>
            )}
            <details>
              <summary className="small">Sample values as JSON</summary>
              <CodeEditor key={varsKey} label={`Preview variables of ${id} as JSON`} value={varsText} onChange={(v) => setVars({ key: varsKey, text: v })} language="json" className="editor-sm" />
            </details>
            <button type="button" className="btn btn-link btn-sm px-0" onClick={() => setVars(null)}>
              Reset to the sample values (the schema's defaults and examples)
            </button>
          </div>
          {inputError && <p className="text-danger small">Not valid: {inputError}</p>}
          <div aria-live="polite" aria-busy={previewing}>
            {stale && pdf && <p className="small text-warning-emphasis">The last preview failed: the PDF below is an older one.</p>}
            {pdf ? (
              <div className="preview-pane border rounded p-2" tabIndex={0} role="region" aria-label={`Preview PDF of ${id}`}>
                <PdfViewer data={pdf} label={`Preview of ${id}${edition ? ` edition ${edition}` : ''}`} />
              </div>
            ) : (
              !previewing && <p className="small text-body-secondary">No preview yet: type in the template (live preview), or press Preview.</p>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
