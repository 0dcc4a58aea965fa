// What the drafts change: per drafted document id, the fields that differ
// between the current editions and the drafted ones; per drafted template,
// a line diff against the published text.
import { ApiError, type ApiClient, type CatalogDocument, type DocumentEdition } from '../api/client';
import { editionChanges } from '../lib/diff';
import { useAsync } from '../lib/hooks';
import { ErrorPanel } from './ErrorPanel';
import { FieldDiffTable } from './FieldDiffTable';
import { LineDiff } from './LineDiff';

const notFound = (e: unknown) => e instanceof ApiError && e.status === 404;

/** The editions of an id before (current version; none for a new id) and after the drafts. */
async function editionsOf(client: ApiClient, id: string, signal: AbortSignal): Promise<{ current: DocumentEdition[]; draft: DocumentEdition[] }> {
  const current = await client.document(id, signal).then(
    (r) => r.documents as DocumentEdition[],
    (e: unknown) => {
      if (notFound(e)) return [];
      throw e;
    },
  );
  let draft: DocumentEdition[];
  try {
    draft = (await client.document(id, signal, 'drafts')).documents as DocumentEdition[];
  } catch (e) {
    // 404: the drafts remove the id; 422: the drafts have lint errors, so there is
    // no drafted catalog to read: the draft itself has the editions.
    if (notFound(e)) draft = [];
    else if (e instanceof ApiError && e.status === 422) draft = (await client.getDraft(id, signal)).editions;
    else throw e;
  }
  return { current, draft };
}

export function DocumentDraftDiff({ client, id }: { client: ApiClient; id: string }) {
  const diff = useAsync(async (signal) => {
    const { current, draft } = await editionsOf(client, id, signal);
    return { changes: editionChanges(current, draft), isNew: current.length === 0, removed: draft.length === 0 };
  }, [client, id]);
  return (
    <div>
      <ErrorPanel error={diff.error} title={`Comparing the draft of ${id}`} onRetry={diff.reload} />
      {diff.loading && !diff.data && <p className="small" aria-busy="true">Comparing…</p>}
      {diff.data && (
        <>
          {diff.data.isNew && <p className="small mb-1">A new document: the current version has no {id}.</p>}
          {diff.data.removed && <p className="small mb-1">The draft removes {id} from the catalog.</p>}
          <FieldDiffTable
            changes={diff.data.changes}
            caption={`Fields of ${id} changed by the draft`}
            before="Current"
            after="Draft"
            empty={`The draft changes no field of ${id}.`}
          />
        </>
      )}
    </div>
  );
}

/** The published text of a template: from the editions of the current version that use it ('' for a new template). */
async function publishedTemplate(client: ApiClient, documents: readonly CatalogDocument[], path: string, signal: AbortSignal): Promise<string | null> {
  const owner = documents.find((d) => d.template === path);
  if (!owner) return null;
  const r = await client.document(owner.id, signal);
  return r.templates?.[path] ?? null;
}

export function TemplateDraftDiff({ client, path, documents }: { client: ApiClient; path: string; documents: readonly CatalogDocument[] }) {
  const diff = useAsync(
    async (signal) => {
      const [draft, published] = await Promise.all([client.getTemplateDraft(path, signal), publishedTemplate(client, documents, path, signal)]);
      return { draft: draft.text, published };
    },
    [client, path, documents],
  );
  return (
    <div>
      <ErrorPanel error={diff.error} title={`Comparing the draft of ${path}`} onRetry={diff.reload} />
      {diff.loading && !diff.data && <p className="small" aria-busy="true">Comparing…</p>}
      {diff.data && (
        <>
          {diff.data.published === null && <p className="small mb-1">No document of the current version uses this template: the whole draft is shown as added.</p>}
          <LineDiff before={diff.data.published ?? ''} after={diff.data.draft} label={`Changes to ${path}`} />
        </>
      )}
    </div>
  );
}
