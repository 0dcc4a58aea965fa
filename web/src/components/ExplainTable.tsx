import type { ExplainEntry } from '../api/client';
import { DataTable, type Column } from './DataTable';

interface Props {
  caption: string;
  /** The package's `explain` (or the part of it a filter kept). */
  rows: readonly ExplainEntry[];
  /** Ids to highlight (e.g. the documents a validator finding names): marked in words and with a row colour. */
  highlight?: ReadonlySet<string>;
  /** What a highlighted id is marked with. */
  highlightLabel?: string;
  /** Columns after Instances (e.g. what a policy carries). */
  extraColumns?: readonly Column<ExplainEntry>[];
}

/** Why each catalog edition is or is not in a package: eligible, instances, reasons. */
export function ExplainTable({ caption, rows, highlight, highlightLabel = 'highlighted', extraColumns = [] }: Props) {
  const marked = (e: ExplainEntry) => highlight?.has(e.id) ?? false;
  const columns: Column<ExplainEntry>[] = [
    {
      key: 'id',
      header: 'Id',
      render: (e) => (
        <>
          <code>{e.id}</code>
          {marked(e) && <span className="badge text-bg-warning ms-1">{highlightLabel}</span>}
        </>
      ),
      sortValue: (e) => e.id,
    },
    { key: 'edition', header: 'Edition', render: (e) => e.edition },
    { key: 'eligible', header: 'Eligible', render: (e) => (e.eligible ? 'yes' : 'no'), sortValue: (e) => (e.eligible ? 1 : 0) },
    { key: 'instances', header: 'Instances', render: (e) => e.instances, className: 'text-end' },
    ...extraColumns,
    {
      key: 'reasons',
      header: 'Reasons',
      render: (e) => (
        <ul className="mb-0 ps-3 small">
          {e.reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      ),
    },
  ];
  return (
    <DataTable
      caption={caption}
      columns={columns}
      rows={rows}
      rowKey={(e) => `${e.id}@${e.edition}`}
      rowClassName={highlight ? (e) => (marked(e) ? 'table-warning' : undefined) : undefined}
    />
  );
}
