// The on-call page (viewer): each SLO as a tile with the state the alert
// rules would give it, budget left, burn rates and a chart of its good and
// bad events over the chosen span from GET /v1/slos; failed jobs grouped by
// their first error's code or by product and jurisdiction, each group
// linking its newest jobs; and the queue. A job with a quote of an unknown
// product gives the failure group to find.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, expectAccessible, screenshot, signIn } from './support';

type Slo = { name: string; total: number; burn_rates: Record<string, number | null> };

test('SLO tiles from the API, failures by cause with links to their jobs, the queue', async ({ page, request }) => {
  const src = process.env.DOCGEN_SRC ?? '../..';
  const quote = JSON.parse(readFileSync(path.join(src, 'examples/quotes/new-ca-basic.json'), 'utf8'));
  const created = await api(request, 'generator', 'POST', '/v1/jobs', { quote: { ...quote, product: 'no-such-product' } });
  expect(created.status()).toBe(202);
  const job = (await created.json()).id as string;
  await expect
    .poll(async () => (await (await api(request, 'viewer', 'GET', `/v1/jobs/${job}`)).json()).status, { timeout: 20_000 })
    .toBe('failed');
  const slos = (await (await api(request, 'viewer', 'GET', '/v1/slos')).json()).slos as Slo[];
  expect(slos.map((s) => s.name)).toEqual(['jobs-succeed', 'resolve-fast', 'render-fast', 'api-available']);

  await signIn(page, 'viewer');
  await page.getByRole('link', { name: 'On call' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'On call' })).toBeVisible();
  for (const slo of slos) {
    const tile = page.getByRole('region', { name: slo.name });
    await expect(tile).toBeVisible();
    await expect(tile.getByRole('table', { name: new RegExp(`^${slo.name}: burn rate per window`) })).toBeVisible();
    await expect(tile.getByRole('progressbar', { name: `${slo.name}: error budget left` })).toBeVisible();
  }
  // An invalid job is the caller's input, not docgen failing: jobs-succeed stays within budget.
  const jobsTile = page.getByRole('region', { name: 'jobs-succeed' });
  await expect(jobsTile.locator('.badge').first()).toHaveText('ok');
  // Its events over the last 24 hours (the default span) as a chart, the numbers under it.
  await expect(jobsTile.getByRole('img', { name: 'jobs-succeed: good and bad events per 15 minutes' })).toBeVisible();
  await jobsTile.getByText('Numbers').click();
  const numbers = jobsTile.getByRole('table', { name: /^jobs-succeed: good and bad events/ });
  await expect(numbers.locator('tbody tr').first()).toBeVisible(); // the steps with events: at least this test's job
  await page.getByRole('button', { name: '7 days' }).click();
  await expect(jobsTile.getByRole('img', { name: 'jobs-succeed: good and bad events per 120 minutes' })).toBeVisible();

  const failures = page.getByRole('table', { name: /^Failed jobs by cause/ });
  const group = failures.locator('tbody tr', { hasText: 'unknown_product' });
  await expect(group).toHaveCount(1);
  await expect(group.locator('.badge')).toHaveText('input'); // the caller's quote, not docgen failing
  await expect(page.getByRole('region', { name: 'Queue' })).toContainText(/jobs waiting/);
  await page.getByRole('button', { name: 'By product and jurisdiction' }).click();
  const byMarket = page.getByRole('table', { name: /^Failed jobs by product and jurisdiction/ });
  const market = byMarket.locator('tbody tr', { hasText: 'no-such-product / CA' });
  await expect(market).toHaveCount(1);
  await expect(market).toContainText('unknown_product');
  await page.getByRole('button', { name: 'By cause' }).click();
  await screenshot(page, 'oncall');
  await expectAccessible(page);

  await group.getByRole('link', { name: job }).click();
  await expect(page).toHaveURL(new RegExp(`jobs\\?job=${job}`));
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
  // The job failed on its input: it shows as invalid, apart from jobs docgen failed.
  await expect(page.locator('.badge', { hasText: /^invalid$/ }).first()).toBeVisible();
});
