import { useMemo } from 'react';
import type { CatalogVersion } from '../api/client';
import { useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { formatTime } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { useSearchParams } from '../lib/router';
import { VersionComparison } from './VersionComparison';
import { VersionDetail } from './VersionDetail';

/** The selected versions of the query (`?v=3` or `?v=3&v=5`): at most two, distinct, in the order picked. */
export function selectedVersions(params: URLSearchParams): number[] {
  const out: number[] = [];
  for (const v of params.getAll('v')) {
    const n = Number(v);
    if (Number.isInteger(n) && n > 0 && !out.includes(n)) out.push(n);
  }
  return out.slice(-2);
}

/** What the selection shows, in words (announced when it changes). */
export function selectionStatus(selected: readonly number[]): string {
  const [a, b] = selected;
  if (a === undefined) return 'No version selected.';
  if (b === undefined) return `Version ${a} selected: select another to compare them.`;
  return `Comparing version ${Math.min(a, b)} with version ${Math.max(a, b)}.`;
}

const columns: Column<CatalogVersion>[] = [
  { key: 'version', header: 'Version', render: (v) => v.version, sortValue: (v) => v.version },
  { key: 'name', header: 'Name', render: (v) => v.name, sortValue: (v) => v.name },
  { key: 'created_at', header: 'Published', render: (v) => formatTime(v.created_at), sortValue: (v) => v.created_at },
  { key: 'created_by', header: 'By', render: (v) => v.created_by ?? '', sortValue: (v) => v.created_by ?? '' },
  { key: 'digest', header: 'Digest', render: (v) => <code className="small">{v.digest.slice(0, 19)}…</code> },
];

export function VersionsPage() {
  const { client } = useAuth();
  const [params, setParams] = useSearchParams();
  const versions = useAsync((signal) => client.versions(signal), [client]);
  const selected = selectedVersions(params);

  const setSelected = (next: number[]) => {
    const q = new URLSearchParams([...params].filter(([k]) => k !== 'v'));
    for (const n of next) q.append('v', String(n));
    setParams(q, { replace: true });
  };
  // Picking a row adds it (the oldest pick gives way to a third); picking a selected row removes it.
  const toggle = (v: CatalogVersion) =>
    setSelected(selected.includes(v.version) ? selected.filter((n) => n !== v.version) : [...selected, v.version].slice(-2));

  const rows = useMemo(() => [...(versions.data?.versions ?? [])].sort((a, b) => b.version - a.version), [versions.data]);
  const [first, second] = selected;
  const pair = first !== undefined && second !== undefined ? { from: Math.min(first, second), to: Math.max(first, second) } : null;

  return (
    <div>
      <h1 className="h3">Catalog versions</h1>
      <p className="text-body-secondary">
        Every published version, newest first. Select a version to see its documents and files; select a second one to compare them: the documents and
        files added, removed and changed from the older to the newer.
      </p>
      <ErrorPanel error={versions.error} title="Loading the versions" onRetry={versions.reload} />
      <div className="row g-3">
        <div className="col-xl-5">
          {versions.data && (
            <DataTable caption="Catalog versions" columns={columns} rows={rows} rowKey={(v) => String(v.version)} selectedKeys={selected.map(String)} onSelect={toggle} empty="No version has been published yet." />
          )}
          {versions.loading && !versions.data && <p aria-busy="true">Loading…</p>}
        </div>
        <section className="col-xl-7" aria-label="Selected versions">
          <p className="small text-body-secondary mb-2" aria-live="polite">
            {selectionStatus(selected)}
          </p>
          {selected.length > 0 && (
            <button type="button" className="btn btn-sm btn-outline-secondary mb-2" onClick={() => setSelected([])}>
              Clear the selection
            </button>
          )}
          {first !== undefined && second === undefined && <VersionDetail key={first} client={client} version={first} />}
          {pair && <VersionComparison key={`${pair.from}-${pair.to}`} client={client} from={pair.from} to={pair.to} />}
        </section>
      </div>
    </div>
  );
}
