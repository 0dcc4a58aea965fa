import { useMemo } from 'react';
import type { CatalogVersion, CatalogVersionDetail } from '../api/client';
import { useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { fileChanges } from '../lib/diff';
import { useAsync } from '../lib/hooks';
import { useSearchParams } from '../lib/router';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** The selected versions of the query (`?v=3` or `?v=3&v=5`): at most two, distinct, in the order picked. */
export function selectedVersions(params: URLSearchParams): number[] {
  const out: number[] = [];
  for (const v of params.getAll('v')) {
    const n = Number(v);
    if (Number.isInteger(n) && n > 0 && !out.includes(n)) out.push(n);
  }
  return out.slice(-2);
}

function FileList({ files, label }: { files: readonly string[]; label: string }) {
  if (files.length === 0) return <p className="small text-body-secondary">{label}: none.</p>;
  return (
    <>
      <h3 className="h6">
        {label} ({files.length})
      </h3>
      <ul className="list-unstyled small mb-3">
        {files.map((f) => (
          <li key={f}>
            <code>{f}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

export function VersionsPage() {
  const { client } = useAuth();
  const [params, setParams] = useSearchParams();
  const versions = useAsync((signal) => client.versions(signal), [client]);
  const selected = selectedVersions(params);
  const key = selected.join(',');
  const details = useAsync(
    (signal) => Promise.all(selected.map((n) => client.version(n, signal))),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, key],
  );

  const setSelected = (next: number[]) => {
    const q = new URLSearchParams([...params].filter(([k]) => k !== 'v'));
    for (const n of next) q.append('v', String(n));
    setParams(q, { replace: true });
  };
  // Picking a row adds it (the oldest pick gives way to a third); picking a selected row removes it.
  const toggle = (v: CatalogVersion) =>
    setSelected(selected.includes(v.version) ? selected.filter((n) => n !== v.version) : [...selected, v.version].slice(-2));

  const rows = useMemo(() => [...(versions.data?.versions ?? [])].sort((a, b) => b.version - a.version), [versions.data]);
  const columns: Column<CatalogVersion>[] = [
    { key: 'version', header: 'Version', render: (v) => v.version, sortValue: (v) => v.version },
    { key: 'name', header: 'Name', render: (v) => v.name, sortValue: (v) => v.name },
    { key: 'created_at', header: 'Published', render: (v) => when(v.created_at), sortValue: (v) => v.created_at },
    { key: 'created_by', header: 'By', render: (v) => v.created_by ?? '', sortValue: (v) => v.created_by ?? '' },
    { key: 'digest', header: 'Digest', render: (v) => <code className="small">{v.digest.slice(0, 19)}…</code> },
  ];

  const loaded = details.data && details.data.length === selected.length && details.data.every((d, i) => d.version === selected[i]) ? details.data : null;
  let comparison: { from: CatalogVersionDetail; to: CatalogVersionDetail; added: string[]; removed: string[]; kept: number } | null = null;
  if (loaded && loaded.length === 2) {
    const [a, b] = loaded as [CatalogVersionDetail, CatalogVersionDetail];
    const [from, to] = a.version < b.version ? [a, b] : [b, a];
    comparison = { from, to, ...fileChanges(from.files, to.files) };
  }

  return (
    <div>
      <h1 className="h3">Catalog versions</h1>
      <p className="text-body-secondary">
        Every published version, newest first. Select a version to see its files; select a second one to see which files were added and removed between them.
      </p>
      <ErrorPanel error={versions.error} title="Loading the versions" onRetry={versions.reload} />
      <div className="row g-3">
        <div className="col-lg-7">
          {versions.data && (
            <DataTable caption="Catalog versions" columns={columns} rows={rows} rowKey={(v) => String(v.version)} selectedKeys={selected.map(String)} onSelect={toggle} empty="No version has been published yet." />
          )}
          {versions.loading && !versions.data && <p aria-busy="true">Loading…</p>}
        </div>
        <section className="col-lg-5" aria-label="Selected versions" aria-live="polite">
          {selected.length === 0 && <p className="text-body-secondary">No version selected.</p>}
          {selected.length > 0 && (
            <button type="button" className="btn btn-sm btn-outline-secondary mb-2" onClick={() => setSelected([])}>
              Clear the selection
            </button>
          )}
          <ErrorPanel error={details.error} title="Loading the selected versions" onRetry={details.reload} />
          {selected.length > 0 && !loaded && !details.error && <p aria-busy="true">Loading…</p>}
          {loaded && loaded.length === 1 && loaded[0] && (
            <>
              <h2 className="h5">
                Version {loaded[0].version} <small className="text-body-secondary">{loaded[0].name}</small>
              </h2>
              <p className="small mb-2">
                Published {when(loaded[0].created_at)}
                {loaded[0].created_by ? ` by ${loaded[0].created_by}` : ''} · digest <code>{loaded[0].digest}</code>
              </p>
              <FileList files={[...loaded[0].files].sort()} label="Files" />
            </>
          )}
          {comparison && (
            <>
              <h2 className="h5">
                Version {comparison.from.version} → {comparison.to.version}
              </h2>
              <p className="small">
                {comparison.added.length} added, {comparison.removed.length} removed, {comparison.kept} in both
                {comparison.from.digest !== comparison.to.digest ? ' (files in both may differ in content: the file lists do not say)' : ' (same digest)'}.
              </p>
              <FileList files={comparison.added} label={`Added in ${comparison.to.version}`} />
              <FileList files={comparison.removed} label={`Removed in ${comparison.to.version}`} />
            </>
          )}
        </section>
      </div>
    </div>
  );
}
