// One published version of the Versions page: when and by whom it was
// published, its documents and its files.
import type { ApiClient, CatalogDocument } from '../api/client';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { formatTime } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { CodeList } from './VersionParts';

const documentColumns: Column<CatalogDocument>[] = [
  { key: 'id', header: 'Id', render: (d) => <code>{d.id}</code>, sortValue: (d) => d.id },
  { key: 'edition', header: 'Edition', render: (d) => d.edition, sortValue: (d) => d.edition },
  { key: 'title', header: 'Title', render: (d) => d.title, sortValue: (d) => d.title },
  { key: 'kind', header: 'Kind', render: (d) => d.kind, sortValue: (d) => d.kind },
  { key: 'order', header: 'Order', render: (d) => d.order, sortValue: (d) => d.order, className: 'text-end' },
];

export function VersionDetail({ client, version }: { client: ApiClient; version: number }) {
  const detail = useAsync((signal) => client.version(version, signal), [client, version]);
  const docs = useAsync((signal) => client.documents(signal, version), [client, version]);
  const d = detail.data;
  return (
    <>
      <h2 className="h5">
        Version {version} {d && <small className="text-body-secondary">{d.name}</small>}
      </h2>
      {d && (
        <p className="small mb-2">
          Published {formatTime(d.created_at)}
          {d.created_by ? ` by ${d.created_by}` : ''} · digest <code>{d.digest}</code>
        </p>
      )}
      <h3 className="h6">Documents{docs.data ? ` (${docs.data.documents.length})` : ''}</h3>
      <ErrorPanel error={docs.error} title={`Loading the documents of version ${version}`} onRetry={docs.reload} />
      {docs.loading && !docs.data && <p aria-busy="true">Loading…</p>}
      {docs.data && (
        <DataTable
          caption={`Documents of version ${version}`}
          columns={documentColumns}
          rows={docs.data.documents}
          rowKey={(doc) => `${doc.id}@${doc.edition}`}
          empty="This version has no documents."
        />
      )}
      <ErrorPanel error={detail.error} title={`Loading version ${version}`} onRetry={detail.reload} />
      {detail.loading && !d && <p aria-busy="true">Loading…</p>}
      {d && <CodeList items={[...d.files].sort()} label="Files" level={3} />}
    </>
  );
}
