import { useState } from 'react';

/** Items shown before "Show all": plans and outcomes can have thousands of entries. */
export const BOUNDED_LIST_LIMIT = 200;

/**
 * A numbered list of texts in a scrollable box of bounded height, the first
 * `limit` items rendered and a "Show all" button for the rest. The box is
 * focusable (keyboard scrolling) and named by `label`.
 */
export function BoundedList({ items, label, limit = BOUNDED_LIST_LIMIT, empty }: { items: readonly string[]; label: string; limit?: number; /** Said when there are no items ('' for nothing). */ empty?: string }) {
  const [all, setAll] = useState(false);
  if (items.length === 0) return empty === '' ? null : <p className="small text-body-secondary">{empty ?? 'None.'}</p>;
  const shown = all ? items : items.slice(0, limit);
  return (
    <div className="mb-2">
      <div className="bounded-list border rounded" tabIndex={0} role="region" aria-label={label}>
        <ol className="small mb-0 py-1">
          {shown.map((text, i) => (
            <li key={i}>{text}</li>
          ))}
        </ol>
      </div>
      {shown.length < items.length && (
        <button type="button" className="btn btn-link btn-sm px-0" onClick={() => setAll(true)}>
          Show all {items.length} (the first {shown.length} are shown)
        </button>
      )}
    </div>
  );
}
