import { useState } from 'react';
import { ApiError, type PublishedVersion } from '../api/client';
import { useAuth } from '../auth';
import { DocumentDraftDiff, TemplateDraftDiff } from '../components/DraftDiffs';
import { ErrorPanel } from '../components/ErrorPanel';
import { Findings } from '../components/Findings';
import { useAsync } from '../lib/hooks';
import { Link } from '../lib/router';

export function DraftsPage() {
  const { client } = useAuth();
  const lint = useAsync((signal) => client.lintDrafts(signal), [client]);
  const templates = lint.data?.templates ?? [];
  // The current editions, to find the published text of each drafted template.
  const currentDocs = useAsync((signal) => (templates.length ? client.documents(signal) : Promise.resolve(undefined)), [client, templates.length > 0]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [published, setPublished] = useState<PublishedVersion | null>(null);

  const publish = async () => {
    setBusy(true);
    setError(null);
    setPublished(null);
    try {
      setPublished(await client.publishDrafts());
      lint.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const discard = async (id: string) => {
    if (!window.confirm(`Discard the draft of ${id}?`)) return;
    setError(null);
    try {
      await client.deleteDraft(id);
      lint.reload();
    } catch (e) {
      setError(e);
    }
  };

  const discardTemplate = async (path: string) => {
    if (!window.confirm(`Discard the draft of ${path}?`)) return;
    setError(null);
    try {
      await client.deleteTemplateDraft(path);
      lint.reload();
    } catch (e) {
      setError(e);
    }
  };

  const refused = error instanceof ApiError && error.code === 'lint_failed';
  const l = lint.data;
  return (
    <div>
      <h1 className="h3">Drafts</h1>
      <p className="text-body-secondary">Drafted documents replace their editions in the next version; lint runs on the current version with every draft applied.</p>
      <ErrorPanel error={lint.error} title="Linting the drafts" onRetry={lint.reload} />
      {l && (
        <>
          <p>
            Lint: {l.valid ? <span className="badge text-bg-success">no errors</span> : <span className="badge text-bg-danger">errors</span>}
          </p>
          <h2 className="h5">Drafted documents ({l.drafts.length})</h2>
          {l.drafts.length === 0 ? (
            <p className="small text-body-secondary">No drafts. Edit a document from the Documents page to start one.</p>
          ) : (
            <ul className="list-group mb-3">
              {l.drafts.map((id) => (
                <li key={id} className="list-group-item">
                  <div className="d-flex align-items-center gap-2">
                    <code className="me-auto">{id}</code>
                    <Link className="btn btn-sm btn-outline-primary" to={`documents/${encodeURIComponent(id)}/edit`} aria-label={`Edit ${id}`}>
                      Edit
                    </Link>
                    <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => void discard(id)} aria-label={`Discard the draft of ${id}`}>
                      Discard
                    </button>
                  </div>
                  <details className="mt-2" open>
                    <summary className="small">Changes: current → draft</summary>
                    <DocumentDraftDiff client={client} id={id} />
                  </details>
                </li>
              ))}
            </ul>
          )}
          <h2 className="h5">Drafted templates ({templates.length})</h2>
          {templates.length === 0 ? (
            <p className="small text-body-secondary">No template drafts. Edit a template in the document editor to start one.</p>
          ) : (
            <ul className="list-group mb-3">
              {templates.map((path) => (
                <li key={path} className="list-group-item">
                  <div className="d-flex align-items-center gap-2">
                    <code className="me-auto">{path}</code>
                    <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => void discardTemplate(path)} aria-label={`Discard the draft of ${path}`}>
                      Discard
                    </button>
                  </div>
                  <details className="mt-2" open>
                    <summary className="small">Changes: published → draft</summary>
                    <ErrorPanel error={currentDocs.error} title="Loading the current documents" onRetry={currentDocs.reload} />
                    {currentDocs.data ? (
                      <TemplateDraftDiff client={client} path={path} documents={currentDocs.data.documents} />
                    ) : (
                      !currentDocs.error && <p className="small" aria-busy="true">Loading…</p>
                    )}
                  </details>
                </li>
              ))}
            </ul>
          )}
          <Findings findings={l.findings} caption="Lint findings" />
          <div className="mt-3 d-flex gap-2">
            <button type="button" className="btn btn-primary" disabled={busy || (l.drafts.length === 0 && templates.length === 0)} onClick={() => void publish()}>
              {busy ? 'Publishing…' : 'Publish drafts as a new version'}
            </button>
            <button type="button" className="btn btn-outline-secondary" onClick={lint.reload}>
              Lint again
            </button>
          </div>
        </>
      )}
      <div className="mt-3" aria-live="polite">
        {refused && <p className="fw-semibold text-danger">Publishing was refused: lint found errors (below).</p>}
        <ErrorPanel error={error} title={refused ? 'Not published' : undefined} />
        {published && (
          <div className="alert alert-success" role="status">
            Published version {published.version} ({published.name}, {published.digest.slice(0, 19)}…).
            {published.findings.length > 0 && <Findings findings={published.findings} caption="Warnings" />}
          </div>
        )}
      </div>
    </div>
  );
}
