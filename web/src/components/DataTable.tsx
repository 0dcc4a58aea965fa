import { useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<Row> {
  key: string;
  header: string;
  render: (row: Row) => ReactNode;
  /** When given, the header sorts by it. */
  sortValue?: (row: Row) => string | number;
  className?: string;
}

interface Props<Row> {
  caption: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  selectedKey?: string | null;
  /** Several selected rows (e.g. two versions to compare), besides `selectedKey`. */
  selectedKeys?: readonly string[];
  /** Selecting a row (click, Enter or Space on the focused row). */
  onSelect?: (row: Row) => void;
  empty?: ReactNode;
  /** Rows shown before "Show more" (large catalogs stay fast to render). */
  pageSize?: number;
  /** A class for some rows (e.g. `table-warning` to highlight them); a selected row keeps `table-active`. Say it in words too. */
  rowClassName?: (row: Row) => string | undefined;
}

/** A table with sortable headers, keyboard-selectable rows and incremental rendering. */
export function DataTable<Row>({ caption, columns, rows, rowKey, selectedKey, selectedKeys, onSelect, empty, pageSize = 100, rowClassName }: Props<Row>) {
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const [shown, setShown] = useState(pageSize);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    if (!col?.sortValue) return rows;
    const get = col.sortValue;
    return [...rows].sort((a, b) => {
      const x = get(a);
      const y = get(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
    });
  }, [rows, sort, columns]);
  const visible = sorted.slice(0, shown);

  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, row: Row) => {
    if (!onSelect) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(row);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  };

  return (
    <div>
      <div className="table-responsive">
        <table className="table table-sm table-hover align-middle data-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => {
                const dir = sort?.key === c.key ? sort.dir : 0;
                return (
                  <th key={c.key} scope="col" className={c.className} aria-sort={dir === 1 ? 'ascending' : dir === -1 ? 'descending' : undefined}>
                    {c.sortValue ? (
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0 text-reset fw-semibold text-decoration-none"
                        onClick={() => setSort(dir === 1 ? { key: c.key, dir: -1 } : dir === -1 ? null : { key: c.key, dir: 1 })}
                      >
                        {c.header}
                        <span aria-hidden="true">{dir === 1 ? ' ▲' : dir === -1 ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => {
              const key = rowKey(row);
              const selected = selectedKey === key || (selectedKeys?.includes(key) ?? false);
              return (
                <tr
                  key={key}
                  className={[selected ? 'table-active' : onSelect ? 'selectable' : '', rowClassName?.(row) ?? ''].filter(Boolean).join(' ') || undefined}
                  tabIndex={onSelect ? 0 : undefined}
                  aria-selected={onSelect ? selected : undefined}
                  onClick={onSelect ? () => onSelect(row) : undefined}
                  onKeyDown={onSelect ? (e) => onKey(e, row) : undefined}
                >
                  {columns.map((c) => (
                    <td key={c.key} className={c.className}>
                      {c.render(row)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && <p className="text-body-secondary">{empty ?? 'Nothing to show.'}</p>}
      {rows.length > shown && (
        <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => setShown(shown + pageSize * 4)}>
          Show more ({rows.length - shown} more)
        </button>
      )}
    </div>
  );
}
