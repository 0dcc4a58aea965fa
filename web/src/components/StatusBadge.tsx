// The status of a job, a batch validation or an operation run (queued, running, succeeded, failed, canceled).
const STATUS_CLASS: Record<string, string> = {
  queued: 'text-bg-secondary',
  running: 'text-bg-primary',
  succeeded: 'text-bg-success',
  failed: 'text-bg-danger',
  canceled: 'text-bg-dark',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${STATUS_CLASS[status] ?? 'text-bg-light'}`}>{status}</span>;
}

/** Queued or running: still worth polling. */
export const isActive = (status: string) => status === 'queued' || status === 'running';
