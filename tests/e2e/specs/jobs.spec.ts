import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, expectAccessible, screenshot, signIn } from './support';

test('a submitted job reaches succeeded on the jobs page and its PDF downloads', async ({ page, request }) => {
  const src = process.env.DOCGEN_SRC ?? '../..';
  const quote = JSON.parse(readFileSync(path.join(src, 'examples/quotes/new-ca-basic.json'), 'utf8'));
  const created = await api(request, 'generator', 'POST', '/v1/jobs', { quote });
  expect(created.status()).toBe(202);
  const job = (await created.json()) as { id: string; quote_id: string; trace_id: string };
  expect(job.trace_id).toMatch(/^[0-9a-f]{32}$/); // a request without traceparent starts a trace

  await signIn(page, 'generator');
  await page.getByRole('link', { name: 'Jobs' }).click();
  const row = page.getByRole('row', { name: new RegExp(job.id.slice(0, 12)) }).first();
  await expect(row).toContainText('succeeded', { timeout: 30_000 });
  // 800 px wide: every column fits, the last one included (no sideways scrolling).
  await page.setViewportSize({ width: 800, height: 900 });
  const table = page.getByRole('table', { name: 'Jobs' });
  const fit = await table.evaluate((t) => ({ table: t.scrollWidth, box: t.parentElement!.clientWidth }));
  expect(fit.table).toBeLessThanOrEqual(fit.box);
  const last = await table.getByRole('columnheader', { name: 'Webhook' }).boundingBox();
  expect(last!.x + last!.width).toBeLessThanOrEqual(800);
  await screenshot(page, 'jobs-800');
  await page.setViewportSize({ width: 1280, height: 720 });
  await row.click();
  await expect(page.getByText(job.trace_id)).toBeVisible(); // the on-call engineer's key into the logs
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /package\.pdf/i }).or(page.getByRole('button', { name: /package\.pdf/i })).first().click();
  const file = await download;
  const saved = await file.path();
  expect(saved).toBeTruthy();
  expect(readFileSync(saved!).subarray(0, 5).toString()).toBe('%PDF-');
  await screenshot(page, 'jobs');
  await expectAccessible(page);
});
