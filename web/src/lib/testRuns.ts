// Words for test runs (SPEC §8), shared by the list and a run's details.
import type { TestRun, TestRunCounts } from '../api/client';

const ORDER: (keyof TestRunCounts)[] = ['changed', 'new', 'failed', 'removed', 'same'];

/** "2 changed, 1 new, 51 same": the counts that are not zero, the ones to look at first. */
export function countsText(counts: TestRunCounts): string {
  const parts = ORDER.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no variants yet';
}

/** True when a finished run found nothing to look at. */
export const isClean = (run: TestRun) =>
  run.status === 'succeeded' && run.counts.changed + run.counts.new + run.counts.failed + run.counts.removed === 0;

export const TRIGGER_TEXT: Record<TestRun['trigger'], string> = {
  manual: 'manual',
  schedule: 'schedule',
  drafts: 'drafts (before publishing)',
};

/** The variant part of a key: "CY-DEC@2025-01/cyber/CA/1" → document "CY-DEC@2025-01", "cyber / CA", sample 1. */
export function splitKey(key: string): { document: string; where: string; sample: string } {
  const [document = key, product = '', jurisdiction = '', sample = ''] = key.split('/');
  return { document, where: [product, jurisdiction].filter(Boolean).join(' / '), sample };
}
