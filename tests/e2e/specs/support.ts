// Shared steps of the end-to-end specs: signing in with one of the tokens
// tests/e2e/run.sh made, calling the API directly to know what the UI must
// show, and checking a page with axe.
import { expect, type Page, type APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export type Role = 'viewer' | 'generator' | 'admin';

export function token(role: Role): string {
  const value = process.env[`DOCGEN_TOKEN_${role.toUpperCase()}`];
  if (!value) throw new Error(`DOCGEN_TOKEN_${role.toUpperCase()} is not set: run through tests/e2e/run.sh`);
  return value;
}

export async function signIn(page: Page, role: Role): Promise<void> {
  await page.goto('/ui/');
  await page.getByLabel('API token').fill(token(role));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'Documents' })).toBeVisible();
}

// Headers of a direct API call. Each call closes its connection: Playwright's
// request context would otherwise reuse a pooled connection the server is
// closing at that moment (its idle timeout), which fails with ECONNRESET
// (microsoft/playwright#42701).
export function apiHeaders(role: Role, contentType = 'application/json'): Record<string, string> {
  return { Authorization: `Bearer ${token(role)}`, 'Content-Type': contentType, Connection: 'close' };
}

export async function api(request: APIRequestContext, role: Role, method: string, path: string, data?: unknown) {
  return request.fetch(path, { method, headers: apiHeaders(role), data: data === undefined ? undefined : JSON.stringify(data) });
}

// No serious or critical accessibility violation on the page as it is now.
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}: ${v.nodes.map((n) => n.target.join(' ') + ' ' + (n.failureSummary ?? '').replace(/\s+/g, ' ')).join(' | ')}`)).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${process.env.DOCGEN_E2E_ARTIFACTS ?? 'test-results'}/${name}.png`, fullPage: true });
}
