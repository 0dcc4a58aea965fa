// Test runs (SPEC §8): an admin starts a run of the catalog, follows it to
// its end, looks at a new variant's page and approves the run (audited with
// its reason); a drafts run with one word changed in one template shows
// exactly that edition's variants changed, with golden, new and diff pages
// side by side and overlaid. A viewer sees the runs but cannot start one.
import { test, expect, type Page } from '@playwright/test';
import { api, expectAccessible, screenshot, signIn } from './support';

type Run = { id: string; status: string; counts: Record<string, number>; progress: { variants_total: number } };
type Entry = { action: string; target: string; reason?: string };
const TEMPLATE = 'templates/CY-NOT-CA.md';

async function openTestRuns(page: Page) {
  await page.getByRole('link', { name: 'Test runs', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Test runs' })).toBeVisible();
}

// Starts a run with `button` and waits until its details say it succeeded; returns its id.
async function runTests(page: Page, button: string): Promise<string> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(page).toHaveURL(/[?&]run=run_[0-9a-f]{24}/);
  const id = new URL(page.url()).searchParams.get('run') ?? '';
  const details = page.getByRole('region', { name: `Test run ${id}` });
  await expect(details.getByRole('heading', { name: new RegExp(`Run ${id} succeeded`) })).toBeVisible({ timeout: 30_000 });
  return id;
}

test('a run of the catalog, a variant page, approval; then a drafts run with one word changed', async ({ page, request }) => {
  const reason = `e2e: first goldens (${Date.now()})`;
  await signIn(page, 'admin');
  await openTestRuns(page);

  const first = await runTests(page, 'Run the tests');
  const run = (await (await api(request, 'admin', 'GET', `/v1/test-runs/${first}`)).json()) as Run;
  const details = page.getByRole('region', { name: `Test run ${first}` });
  // On the fresh data of run.sh there are no goldens yet: every variant is new.
  expect(run.counts.new).toBe(run.progress.variants_total);
  await expect(details.getByText(`${run.counts.new} new`, { exact: true })).toBeVisible();
  await expect(details.getByRole('button', { name: `New (${run.counts.new})` })).toHaveAttribute('aria-pressed', 'true');
  const variants = details.getByRole('table', { name: `Variants of ${first}` });
  await variants.getByRole('row', { name: /CY-DEC@2025-01\/cyber\/CA\/1/ }).click();
  await expect(page.getByRole('img', { name: 'New page 1 of CY-DEC@2025-01/cyber/CA/1' })).toBeVisible();

  await details.getByLabel('Reason (kept in the audit log)').first().fill(reason);
  await details.getByRole('button', { name: 'Approve the run' }).click();
  await expect(details.getByRole('status').filter({ hasText: `Approved: ${run.counts.new} variants now golden.` })).toBeVisible();
  const audit = (await (await api(request, 'admin', 'GET', '/v1/audit?action=test_run.approve')).json()) as { entries: Entry[] };
  expect(audit.entries[0]).toMatchObject({ action: 'test_run.approve', target: `test_run:${first}`, reason });

  // A drafts run: one word of one template changed, not published.
  const original = await (await api(request, 'admin', 'GET', `/v1/catalog/versions/1/files/${TEMPLATE}`)).text();
  expect((await api(request, 'admin', 'PUT', `/v1/catalog/drafts/templates/${TEMPLATE}`, { text: original.replace('Cancellation', 'Termination') })).status()).toBe(200);
  try {
    const drafts = await runTests(page, 'Test the drafts');
    const draftDetails = page.getByRole('region', { name: `Test run ${drafts}` });
    await expect(draftDetails.getByText('drafts (before publishing)')).toBeVisible();
    const changed = draftDetails.getByRole('button', { name: /^Changed \(\d+\)$/ });
    await expect(changed).toHaveAttribute('aria-pressed', 'true');
    const rows = draftDetails.getByRole('table', { name: `Variants of ${drafts}` }).getByRole('row', { name: /CY-/ });
    await expect(rows.first()).toBeVisible();
    for (const key of await rows.allTextContents()) expect(key).toMatch(/^CY-NOT-CA@/);
    await rows.first().click();
    const variant = page.getByRole('region', { name: /^Variant CY-NOT-CA@/ });
    await expect(variant.getByRole('img', { name: /^Golden page 1 of CY-NOT-CA@/ })).toBeVisible();
    await expect(variant.getByRole('img', { name: /^New page 1 of CY-NOT-CA@/ })).toBeVisible();
    await expect(variant.getByRole('img', { name: /^Diff page 1 of CY-NOT-CA@/ })).toBeVisible();
    await screenshot(page, 'test-runs');
    await expectAccessible(page);
    await variant.getByRole('button', { name: 'Overlay' }).click();
    await expect(variant.getByRole('slider')).toBeVisible();
    await expect(variant.getByRole('img', { name: /^Diff page 1/ })).toHaveCount(0);
  } finally {
    await api(request, 'admin', 'DELETE', `/v1/catalog/drafts/templates/${TEMPLATE}`);
  }
});

test('a viewer sees the runs but cannot start one', async ({ page }) => {
  await signIn(page, 'viewer');
  await openTestRuns(page);
  await expect(page.getByRole('table', { name: 'Test runs' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run the tests' })).toHaveCount(0);
});
