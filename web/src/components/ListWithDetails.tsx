import type { ReactNode } from 'react';

/**
 * A list beside the details of its selected row (below it on narrow screens),
 * with a button that closes the details. `details` is null when no row is selected.
 */
export function ListWithDetails({ list, details, onClose }: { list: ReactNode; details: ReactNode | null; onClose: () => void }) {
  return (
    <div className="row">
      <div className={details ? 'col-xl-7' : 'col-12'}>{list}</div>
      {details && (
        <div className="col-xl-5">
          {details}
          <button type="button" className="btn btn-sm btn-outline-secondary mt-2" onClick={onClose}>
            Close details
          </button>
        </div>
      )}
    </div>
  );
}
