import { test, expect } from '@playwright/test';

test('the health check answers in the browser', async ({ page }) => {
  const response = await page.goto('/healthz');
  expect(response?.status()).toBe(200);
  await expect(page.locator('body')).toContainText('ok');
});
