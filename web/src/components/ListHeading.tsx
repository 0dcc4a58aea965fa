/** A list's section heading (h2, `id` for the section's aria-labelledby) with its Refresh button and a spinner while it loads. */
export function ListHeading({ id, title, loading, onRefresh }: { id: string; title: string; loading: boolean; onRefresh: () => void }) {
  return (
    <div className="d-flex align-items-center gap-3">
      <h2 id={id} className="h4 mb-0">
        {title}
      </h2>
      <button type="button" className="btn btn-sm btn-outline-secondary" onClick={onRefresh}>
        Refresh
      </button>
      {loading && <span className="spinner-border spinner-border-sm" role="status" aria-label="Loading" />}
    </div>
  );
}
