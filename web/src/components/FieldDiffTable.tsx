// The fields that differ between two lists of editions (editionChanges of
// src/lib/diff.ts): the Drafts page (current → draft) and the Versions page
// (older version → newer) show them alike.
import type { ReactNode } from 'react';
import type { FieldChange } from '../lib/diff';

const absent = <span className="text-body-secondary fst-italic">absent</span>;

function Value({ value }: { value: unknown }) {
  if (value === undefined) return absent;
  if (typeof value === 'string') return <code>{value}</code>;
  if (value === null || typeof value !== 'object') return <code>{JSON.stringify(value)}</code>;
  return <pre className="field-value">{JSON.stringify(value, null, 2)}</pre>;
}

/** One side of a change: a field's value, or whether a whole edition is there. */
function Side({ change, value }: { change: FieldChange; value: unknown }) {
  if (change.field === '(edition)') return value ? 'present' : absent;
  return <Value value={value} />;
}

export interface FieldDiffTableProps {
  changes: readonly FieldChange[];
  /** The table's name for assistive technologies (and tests). */
  caption: string;
  /** The headings of the two value columns: the side before (e.g. "Current") and after (e.g. "Draft"). */
  before: string;
  after: string;
  /** Shown instead of the table when nothing changes. */
  empty: ReactNode;
}

/** A table of changed fields: one row per field (per edition when several editions change, or one is added or removed). */
export function FieldDiffTable({ changes, caption, before, after, empty }: FieldDiffTableProps) {
  if (changes.length === 0) return <p className="small text-body-secondary mb-0">{empty}</p>;
  const multi = new Set(changes.map((c) => c.edition)).size > 1 || changes.some((c) => c.field === '(edition)');
  return (
    <table className="table table-sm align-top mb-0 field-diff">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {multi && <th scope="col">Edition</th>}
          <th scope="col">Field</th>
          <th scope="col">{before}</th>
          <th scope="col">{after}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={`${c.edition}/${c.field}`}>
            {multi && <td>{c.edition}</td>}
            <th scope="row" className="fw-normal">
              <code>{c.field === '(edition)' ? `edition ${c.edition}` : c.field}</code>
            </th>
            <td>
              <Side change={c} value={c.current} />
            </td>
            <td>
              <Side change={c} value={c.draft} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
