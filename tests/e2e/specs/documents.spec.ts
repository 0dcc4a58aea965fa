import { test, expect } from '@playwright/test';
import { api, expectAccessible, screenshot, signIn, token } from './support';

type Doc = { id: string; edition: string; applies_to?: { jurisdictions?: string[]; coverages?: string[] } };

// An empty list under applies_to means "any".
function appliesTo(list: string[] | undefined, value: string): boolean {
  return !list || list.length === 0 || list.includes(value);
}

test('filtering by jurisdiction and coverage shows exactly the documents the API says, and the URL keeps it', async ({
  page,
  request,
  context,
}) => {
  const all = (await (await api(request, 'viewer', 'GET', '/v1/catalog/documents')).json()).documents as Doc[];
  const expected = all
    .filter((d) => appliesTo(d.applies_to?.jurisdictions, 'CA') && appliesTo(d.applies_to?.coverages, 'ransomware'))
    .map((d) => d.id)
    .sort();
  expect(expected.length).toBeGreaterThan(0);
  expect(expected.length).toBeLessThan(all.length);

  await signIn(page, 'viewer');
  await page.getByRole('link', { name: 'Documents' }).click();
  const table = page.getByRole('table', { name: 'Document editions' });
  await expect(table.locator('tbody tr')).toHaveCount(all.length);

  // Pick the filters with the controls, as a person would.
  await page.getByLabel(/^Jurisdiction filter/).click();
  await page.getByRole('checkbox', { name: /^CA\b/ }).check();
  await page.getByLabel(/^Coverage filter/).click();
  await page.getByRole('checkbox', { name: /^ransomware\b|^Ransomware\b/ }).check();
  await expect(page.getByRole('list', { name: 'Active filters' })).toContainText('Jurisdiction: CA');
  await expect(table.locator('tbody tr')).toHaveCount(expected.length);
  const shown = (await table.locator('tbody tr td:first-child').allInnerTexts()).map((t) => t.trim()).sort();
  expect(shown).toEqual(expected);
  await screenshot(page, 'documents-filtered');
  await expectAccessible(page);

  // The same URL in a new page (a new tab: the token is kept per tab, so it
  // asks for one) shows the same documents once signed in.
  const url = page.url();
  expect(url).toContain('jurisdiction=CA');
  const again = await context.newPage();
  await again.goto(url);
  await again.getByLabel('API token').fill(token('viewer'));
  await again.getByRole('button', { name: 'Sign in' }).click();
  const tableAgain = again.getByRole('table', { name: 'Document editions' });
  await expect(tableAgain.locator('tbody tr')).toHaveCount(expected.length);
  await again.close();
});
