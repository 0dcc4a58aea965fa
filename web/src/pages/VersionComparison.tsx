// Two published versions compared, older → newer: the document ids added and
// removed and the fields changed of the others, then the files added,
// removed and changed (each with its line diff on demand).
import { useMemo } from 'react';
import type { ApiClient } from '../api/client';
import { ErrorPanel } from '../components/ErrorPanel';
import { FieldDiffTable } from '../components/FieldDiffTable';
import { documentChanges, versionChanges, type DocumentChanges } from '../lib/diff';
import { useAsync } from '../lib/hooks';
import { ChangedFiles, CodeList } from './VersionParts';

/** For the ids added or removed: "(edition 2024)", "(editions 2024, 2025)". */
function editionsOf(ids: DocumentChanges['added']): (id: string) => string {
  const byId = new Map(ids.map((d) => [d.id, d.editions]));
  return (id) => {
    const editions = byId.get(id) ?? [];
    return `(edition${editions.length === 1 ? '' : 's'} ${editions.join(', ')})`;
  };
}

function DocumentsDiff({ client, from, to }: { client: ApiClient; from: number; to: number }) {
  const docs = useAsync((signal) => Promise.all([client.documents(signal, from), client.documents(signal, to)]), [client, from, to]);
  const changes = useMemo(() => docs.data && documentChanges(docs.data[0].documents, docs.data[1].documents), [docs.data]);
  return (
    <>
      <h3 className="h6 mt-3">Documents</h3>
      <ErrorPanel error={docs.error} title="Loading the documents of the two versions" onRetry={docs.reload} />
      {docs.loading && !docs.data && <p aria-busy="true">Loading…</p>}
      {changes && (
        <>
          <p className="small">
            {changes.added.length} added, {changes.removed.length} removed, {changes.changed.length} changed, {changes.unchanged} unchanged.
          </p>
          <CodeList items={changes.added.map((d) => d.id)} label="Added" level={4} note={editionsOf(changes.added)} />
          <CodeList items={changes.removed.map((d) => d.id)} label="Removed" level={4} note={editionsOf(changes.removed)} />
          {changes.changed.length === 0 ? (
            <p className="small text-body-secondary">Changed: none.</p>
          ) : (
            <>
              <h4 className="h6">Changed ({changes.changed.length})</h4>
              <ul className="list-unstyled small mb-3">
                {changes.changed.map((c) => (
                  <li key={c.id} className="mb-3">
                    <code className="fw-semibold">{c.id}</code>
                    <FieldDiffTable
                      changes={c.changes}
                      caption={`Fields of ${c.id} changed from version ${from} to version ${to}`}
                      before={`Version ${from}`}
                      after={`Version ${to}`}
                      empty={`No field of ${c.id} changes.`}
                    />
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </>
  );
}

function FilesDiff({ client, from, to }: { client: ApiClient; from: number; to: number }) {
  const details = useAsync((signal) => Promise.all([client.version(from, signal), client.version(to, signal)]), [client, from, to]);
  const changes = useMemo(() => details.data && versionChanges(details.data[0], details.data[1]), [details.data]);
  return (
    <>
      <h3 className="h6 mt-3">Files</h3>
      <ErrorPanel error={details.error} title="Loading the files of the two versions" onRetry={details.reload} />
      {details.loading && !details.data && <p aria-busy="true">Loading…</p>}
      {changes && (
        <>
          <p className="small">
            {changes.added.length} added, {changes.removed.length} removed, {changes.changed.length} changed, {changes.unchanged} unchanged.
          </p>
          <CodeList items={changes.added} label="Added" level={4} />
          <CodeList items={changes.removed} label="Removed" level={4} />
          <ChangedFiles client={client} paths={changes.changed} from={from} to={to} />
        </>
      )}
    </>
  );
}

/** Versions `from` and `to` (from < to) compared. */
export function VersionComparison({ client, from, to }: { client: ApiClient; from: number; to: number }) {
  return (
    <>
      <h2 className="h5">
        Version {from} → {to}
      </h2>
      <DocumentsDiff client={client} from={from} to={to} />
      <FilesDiff client={client} from={from} to={to} />
    </>
  );
}
