import { useDeferredValue, useMemo } from 'react';
import type { CatalogDocument } from '../api/client';
import { isAdmin, useAuth } from '../auth';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorPanel } from '../components/ErrorPanel';
import { FilterBar } from '../components/FilterBar';
import { attachMode, documentFilters } from '../filters/documents';
import { applyFilters, prepare } from '../filters/engine';
import { useAsync } from '../lib/hooks';
import { Link } from '../lib/router';
import { useFilterState } from '../lib/useFilterState';

const rowKey = (d: CatalogDocument) => `${d.id}@${d.edition}`;

function list(xs: string[] | undefined): string {
  return xs && xs.length ? xs.join(', ') : 'any';
}

function appliesSummary(d: CatalogDocument): string {
  const a = d.applies_to;
  if (!a) return '—';
  const parts = [`products: ${list(a.products)}`];
  if (a.jurisdictions?.length) parts.push(`jurisdictions: ${a.jurisdictions.join(', ')}`);
  if (a.agencies?.length) parts.push(`agencies: ${a.agencies.join(', ')}`);
  if (a.coverages?.length) parts.push(`coverages (${a.coverages_match ?? 'any'}): ${a.coverages.join(', ')}`);
  if (a.effective && (a.effective.from || a.effective.until)) parts.push(`effective ${a.effective.from ?? '…'} – ${a.effective.until ?? '…'}`);
  return parts.join('; ');
}

export function DocumentsPage() {
  const { client, role } = useAuth();
  const docs = useAsync((signal) => client.documents(signal), [client]);
  const [state, setState, params, setParams] = useFilterState(documentFilters);
  const rows = docs.data?.documents;
  const prepared = useMemo(() => prepare(documentFilters, rows ?? []), [rows]);
  // Typing stays responsive: the table follows a deferred copy of the state.
  const deferred = useDeferredValue(state);
  const result = useMemo(() => applyFilters(prepared, deferred), [prepared, deferred]);
  const selectedKey = params.get('doc');
  const selected = rows?.find((d) => rowKey(d) === selectedKey);

  const columns: Column<CatalogDocument>[] = [
    { key: 'id', header: 'Id', render: (d) => <code>{d.id}</code>, sortValue: (d) => d.id },
    { key: 'edition', header: 'Edition', render: (d) => d.edition, sortValue: (d) => d.edition },
    { key: 'title', header: 'Title', render: (d) => d.title, sortValue: (d) => d.title },
    { key: 'kind', header: 'Kind', render: (d) => d.kind, sortValue: (d) => String(d.kind) },
    { key: 'order', header: 'Order', render: (d) => d.order, sortValue: (d) => d.order, className: 'text-end' },
    { key: 'applies', header: 'Applies to', render: (d) => <span className="small">{appliesSummary(d)}</span> },
    {
      key: 'attach',
      header: 'Attach (new / renewal / reissue)',
      render: (d) => (d.attach ? ['new', 'renewal', 'reissue'].map((t) => attachMode(d.attach?.[t as 'new']) ?? 'no').join(' / ') : '—'),
    },
    {
      key: 'flags',
      header: 'Flags',
      render: (d) => (
        <span className="d-flex flex-wrap gap-1">
          {d.deletable === true && <span className="badge text-bg-secondary">deletable</span>}
          {d.flag_manual === true && <span className="badge text-bg-warning">flag manual</span>}
          {d.multiple === true && <span className="badge text-bg-info">multiple</span>}
        </span>
      ),
    },
  ];

  const select = (d: CatalogDocument) => {
    const next = new URLSearchParams(params);
    if (selectedKey === rowKey(d)) next.delete('doc');
    else next.set('doc', rowKey(d));
    setParams(next, { replace: true });
  };

  return (
    <div>
      <h1 className="h3">Documents</h1>
      <p className="text-body-secondary">
        Editions of the current catalog{docs.data ? ` (version ${docs.data.version})` : ''}.
      </p>
      <ErrorPanel error={docs.error} title="Loading the catalog" onRetry={docs.reload} />
      {docs.loading && !rows && <p aria-busy="true">Loading…</p>}
      {rows && (
        <div className="row">
          <div className={selected ? 'col-lg-8' : 'col-12'}>
            <FilterBar prepared={prepared} result={result} state={state} onChange={setState} noun="editions" />
            <DataTable caption="Document editions" columns={columns} rows={result.rows} rowKey={rowKey} selectedKey={selectedKey} onSelect={select} empty="No edition matches the filters." />
          </div>
          {selected && (
            <aside className="col-lg-4" aria-label={`Edition ${selected.id} ${selected.edition}`}>
              <div className="card sticky-lg-top">
                <div className="card-body">
                  <h2 className="h5 card-title">
                    <code>{selected.id}</code> {selected.edition}
                  </h2>
                  <p>{selected.title}</p>
                  {isAdmin(role) && (
                    <Link className="btn btn-sm btn-primary mb-2" to={`documents/${encodeURIComponent(selected.id)}/edit`}>
                      Edit as draft
                    </Link>
                  )}
                  <pre className="small bg-body-tertiary p-2 rounded">{JSON.stringify(selected, null, 2)}</pre>
                  <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => select(selected)}>
                    Close
                  </button>
                </div>
              </div>
            </aside>
          )}
        </div>
      )}
    </div>
  );
}
