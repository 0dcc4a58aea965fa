// The status of a job, a batch validation or an operation run (queued, running, succeeded, failed, canceled).
const STATUS_CLASS: Record<string, string> = {
  queued: 'text-bg-secondary',
  running: 'text-bg-primary',
  succeeded: 'text-bg-success',
  failed: 'text-bg-danger',
  canceled: 'text-bg-dark',
  invalid: 'text-bg-warning',
};

/**
 * A job that failed on the caller's input (its `outcome` is "invalid": never
 * retried) shows as "invalid", apart from the jobs docgen failed.
 */
export function StatusBadge({ status, outcome }: { status: string; outcome?: string }) {
  const shown = status === 'failed' && outcome === 'invalid' ? 'invalid' : status;
  return (
    <span
      className={`badge ${STATUS_CLASS[shown] ?? 'text-bg-light'}`}
      title={shown === 'invalid' ? "Failed on the caller's input: fix it and submit again (never retried)" : undefined}
    >
      {shown}
    </span>
  );
}

/** Queued or running: still worth polling. */
export const isActive = (status: string) => status === 'queued' || status === 'running';
