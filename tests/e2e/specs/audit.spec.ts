// The audit log (admin): a change made through the API appears with who made
// it, filtering by action shows the entries the API lists, an entry's
// details show every field, and the chain verifies. This file runs early
// (files run in name order), so it makes its own audited change first: a
// draft of a new document id, saved and discarded (no catalog change).
import { test, expect } from '@playwright/test';
import { api, expectAccessible, screenshot, signIn } from './support';

type Entry = { seq: number; actor: string; role: string; action: string; target: string; request_id: string; prev_hash: string; hash: string };

test('an audited change: the chain intact, filtered by action, its details with the actor', async ({ page, request }) => {
  const id = `E2E-AUDIT-${Date.now()}`;
  const put = await api(request, 'admin', 'PUT', `/v1/catalog/drafts/documents/${id}`, { edition: '2026-01', title: 'Audit trail' });
  expect(put.status()).toBe(200);
  const del = await api(request, 'admin', 'DELETE', `/v1/catalog/drafts/documents/${id}`);
  expect(del.status()).toBe(204);
  const requestId = del.headers()['x-request-id'] ?? '';
  expect(requestId).not.toBe('');

  // What the page must show: the API's own draft.delete entries (on run.sh's fresh data, just this one).
  const listed = (await (await api(request, 'admin', 'GET', '/v1/audit?action=draft.delete')).json()).entries as Entry[];
  const mine = listed.find((e) => e.target === `document:${id}`);
  expect(mine).toMatchObject({ action: 'draft.delete', actor: 'e2e-admin', role: 'admin', request_id: requestId });
  const entry = mine as Entry;

  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Chain intact' })).toContainText(/Chain intact: \d+ entr(y|ies), head sha256:[0-9a-f]{64}/);
  const table = page.getByRole('table', { name: 'Audit log entries' });
  await expect(table).toContainText(`document:${id}`);
  await expect(table.locator('tbody tr', { hasText: 'draft.save' }).filter({ hasText: `document:${id}` })).toHaveCount(1);

  // Pick the action with the FilterBar, as a person would, then close its menu.
  await page.getByLabel(/^Action filter/).click();
  await page.getByRole('checkbox', { name: /^draft\.delete\b/ }).check();
  await page.getByLabel(/^Action filter/).click();
  await expect(page.getByRole('list', { name: 'Active filters' })).toContainText('Action: draft.delete');
  await expect(page).toHaveURL(/action=draft\.delete/);
  await expect(table.locator('tbody tr')).toHaveCount(listed.length);
  const seqs = (await table.locator('tbody tr td:first-child').allInnerTexts()).map((t) => Number(t.trim()));
  expect(seqs).toEqual(listed.map((e) => e.seq));

  // Its details: click the Seq cell (the target cell is a link to the document editor).
  const row = table.locator('tbody tr', { hasText: `document:${id}` });
  await row.locator('td').first().click();
  await expect(row).toHaveAttribute('aria-selected', 'true');
  const details = page.getByRole('region', { name: `Audit entry ${entry.seq}` });
  await expect(details).toContainText('e2e-admin');
  await expect(details).toContainText('draft.delete');
  await expect(details).toContainText(`document:${id}`);
  await expect(details).toContainText(requestId);
  await expect(details).toContainText(entry.prev_hash);
  await expect(details).toContainText(entry.hash);
  await expect(details.getByRole('link', { name: `Document ${id} in the document editor` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`entry=${entry.seq}`));
  await screenshot(page, 'audit');
  await expectAccessible(page);

  // The URL keeps the filter and the selection.
  await page.reload();
  await expect(page.getByRole('region', { name: `Audit entry ${entry.seq}` })).toContainText('e2e-admin');
  await expect(page.getByRole('table', { name: 'Audit log entries' }).locator('tbody tr')).toHaveCount(listed.length);
});

test('a viewer has no audit log: no link, the page says it needs the admin role, the API refuses', async ({ page, request }) => {
  await signIn(page, 'viewer');
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await page.goto('/ui/audit');
  await expect(page.getByText('This page needs the admin role.')).toBeVisible();
  expect((await api(request, 'viewer', 'GET', '/v1/audit')).status()).toBe(403);
  expect((await api(request, 'viewer', 'GET', '/v1/audit:verify')).status()).toBe(403);
});
