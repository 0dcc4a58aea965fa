// The on-call page's reading of GET /v1/slos and of the failed jobs: which
// SLOs page or ticket (the same windows and factors as `docgen slo rules`),
// and failures grouped by their first error's code.
import type { Job, Slo, SloHistory } from '../api/client';

export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

/** A window pair above a factor, as the alert rules test it (both windows, strictly above). */
const PAGE_PAIRS: [BurnWindow, BurnWindow, number][] = [
  ['1h', '5m', 14.4],
  ['6h', '30m', 6],
];
const TICKET_PAIRS: [BurnWindow, BurnWindow, number][] = [
  ['1d', '2h', 3],
  ['3d', '6h', 1],
];

export type SloState = 'page' | 'ticket' | 'ok' | 'no data';

function above(slo: Slo, [long, short, factor]: [BurnWindow, BurnWindow, number]) {
  const a = slo.burn_rates[long];
  const b = slo.burn_rates[short];
  return a !== null && b !== null && a > factor && b > factor;
}

/** What the alert rules would say now, and in words why. */
export function sloState(slo: Slo): { state: SloState; why: string } {
  const pair = (p: [BurnWindow, BurnWindow, number]) => `${p[0]} and ${p[1]} above ${p[2]}x the budget`;
  const page = PAGE_PAIRS.find((p) => above(slo, p));
  if (page) return { state: 'page', why: `Burning fast: ${pair(page)}.` };
  const ticket = TICKET_PAIRS.find((p) => above(slo, p));
  if (ticket) return { state: 'ticket', why: `Burning slowly: ${pair(ticket)}.` };
  if (slo.total === 0) return { state: 'no data', why: `No events in the last ${slo.window_days} days.` };
  return { state: 'ok', why: 'Within budget.' };
}

/** "14.4x", "0.12x", "–" for a window without events. */
export function formatBurn(rate: number | null): string {
  if (rate === null) return '–';
  if (rate >= 10) return `${rate.toFixed(1)}x`;
  return `${rate.toFixed(2)}x`;
}

/** "99.95%" (enough digits to tell it from the objective), "–" without events. */
export function formatCompliance(compliance: number | null): string {
  return compliance === null ? '–' : `${compliance.toFixed(compliance >= 99 ? 3 : 2)}%`;
}

/** The codes of jobs docgen failed (attempts used up); every other failure is the caller's input, never retried. */
const DOCGEN_FAULTS = new Set(['transient_failure', 'unavailable', 'lease_expired']);

/** Whose failure a code is: docgen's (counted bad by jobs-succeed) or the caller's input (counted good). */
export const faultOf = (code: string): 'docgen' | 'input' => (DOCGEN_FAULTS.has(code) ? 'docgen' : 'input');

/** What failed jobs are grouped by: their first error's code, or their quote's product and jurisdiction. */
export type FailureKey = 'code' | 'market';

const firstCode = (job: Job) => job.errors[0]?.code ?? 'unknown';

const KEY_OF: Record<FailureKey, (job: Job) => string> = {
  code: firstCode,
  market: (job) => `${job.product || '(no product)'} / ${job.jurisdiction || '(no jurisdiction)'}`,
};

export interface FailureGroup {
  key: string;          // the code, or "PRODUCT / JURISDICTION"
  count: number;
  docgen: number;       // of those, docgen's failures (the rest are the caller's input)
  latest: string;       // finished_at (or updated_at) of the newest
  code: string;         // the newest one's first error code
  message: string;      // and its message
  examples: string[];   // up to `examples` job ids, newest first
}

/** Failed jobs grouped by `by`, most frequent first (ties: most recent first). */
export function groupFailures(jobs: readonly Job[], by: FailureKey = 'code', examples = 3): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const job of jobs) {
    if (job.status !== 'failed') continue;
    const first = job.errors[0];
    const key = KEY_OF[by](job);
    const at = job.finished_at ?? job.updated_at;
    let g = groups.get(key);
    if (!g) {
      g = { key, count: 0, docgen: 0, latest: at, code: firstCode(job), message: first?.message ?? '', examples: [] };
      groups.set(key, g);
    }
    g.count += 1;
    // The server's word when it gave one (jobs since the API had `outcome`).
    if (job.outcome ? job.outcome === 'failed' : faultOf(firstCode(job)) === 'docgen') g.docgen += 1;
    if (at > g.latest) {
      g.latest = at;
      g.code = firstCode(job);
      g.message = first?.message ?? '';
    }
    g.examples.push(job.id);
  }
  const byTime = new Map(jobs.map((j) => [j.id, j.finished_at ?? j.updated_at]));
  return [...groups.values()]
    .map((g) => ({ ...g, examples: [...g.examples].sort((a, b) => (byTime.get(b) ?? '').localeCompare(byTime.get(a) ?? '')).slice(0, examples) }))
    .sort((a, b) => b.count - a.count || b.latest.localeCompare(a.latest));
}

/** An SLO's history as chart series: per step, its start and its good and bad events. */
export function historySeries(history: SloHistory): { at: string; good: number; bad: number }[] {
  return history.points.map((p) => ({ at: p.at, good: p.good, bad: Math.max(0, p.total - p.good) }));
}

/** A step's start as its chart label: "14:35" within a day, else "Nov 30 14:00" (UTC, as the API gives it). */
export function stepLabel(at: string, span: SloHistory['span']): string {
  const iso = new Date(at).toISOString();
  const time = iso.slice(11, 16);
  if (span === '6h' || span === '24h') return time;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(iso.slice(5, 7)) - 1];
  return `${month} ${Number(iso.slice(8, 10))} ${time}`;
}

/** How long the oldest of `queued` jobs has waited, in words ("4 min"); null when none waits. */
export function oldestWait(queued: readonly Job[], now: number): string | null {
  if (queued.length === 0) return null;
  const oldest = Math.min(...queued.map((j) => Date.parse(j.created_at)));
  const seconds = Math.max(0, Math.round((now - oldest) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
