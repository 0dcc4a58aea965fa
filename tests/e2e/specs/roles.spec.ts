import { test, expect } from '@playwright/test';
import { api, signIn } from './support';

test('a viewer sees no edit controls, and a direct PUT of a draft is refused', async ({ page, request }) => {
  await signIn(page, 'viewer');
  await expect(page.getByRole('link', { name: 'Drafts' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Package preview' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('button', { name: /Retry|Cancel/ })).toHaveCount(0);
  const put = await api(request, 'viewer', 'PUT', '/v1/catalog/drafts/documents/CY-DEC', { id: 'CY-DEC' });
  expect(put.status()).toBe(403);
});

test('a bad token is refused with the reason shown', async ({ page }) => {
  await page.goto('/ui/');
  await page.getByLabel('API token').fill('dg_not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(/401|not valid|unauthorized/i).first()).toBeVisible();
});
