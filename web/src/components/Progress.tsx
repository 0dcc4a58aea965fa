/** Progress of a job-like thing (policies of a batch, steps of a run): a bar named in words and "done/total" beside it. */
export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  return (
    <span className="d-inline-flex align-items-center gap-2">
      <progress className="step-progress" value={done} max={Math.max(total, 1)} aria-label={label} />
      <span className="small">
        {done}/{total}
      </span>
    </span>
  );
}
