// Editing: a template draft with its preview and lint errors at their
// line, a document draft's field diff, and the versions page after a
// publish. This file runs last (files run in name order, one at a time):
// it publishes the drafts it made, which changes the catalog.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expectAccessible, screenshot, signIn, token } from './support';

test('template edit, preview, errors', async ({ page }) => {
  const csp: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) csp.push(m.text() + ' @ ' + JSON.stringify(m.location())); });
  await signIn(page, 'admin');
  await page.goto('/ui/documents/CY-END-101/edit');
  const editor = page.getByRole('textbox', { name: 'Template templates/CY-END-101.md (Markdown)' });
  await expect(editor).toContainText('Ransomware Sublimit Endorsement');
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  await expect(page.locator('canvas.pdf-page').first()).toBeVisible();
  await screenshot(page, 'editor-preview');
  await expectAccessible(page);
  // break it
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('\n{{#broken}} oops\n');
  await page.getByRole('button', { name: 'Save template draft' }).click();
  await expect(page.getByText('Template draft saved')).toBeVisible();
  await expect(page.getByRole('heading', { name: /Preview: Error 422/ })).toBeVisible();
  await expect(page.getByText(/Line \d+: Section "broken" is not closed/)).toBeVisible();
  await screenshot(page, 'editor-error');
  await expectAccessible(page);
  expect(csp).toEqual([]);
  // fix it
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(readFileSync(path.join(process.env.DOCGEN_SRC ?? '../..', 'examples/acme-cyber/templates/CY-END-101.md'), 'utf8') + 'Added line.\n');
  await page.getByRole('button', { name: 'Save template draft' }).click();
  await expect(page.getByText('Lint finds no errors.').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: /Preview: Error/ })).toHaveCount(0);
  await expect(page.getByText('The last preview failed')).toHaveCount(0);
  // drafts page
  await page.getByRole('link', { name: 'Drafts', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Drafted templates (1)' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Changes to templates/CY-END-101.md' })).toContainText('Added line.');
  await screenshot(page, 'drafts');
  await expectAccessible(page);
});
test('document draft field diff', async ({ page, request }) => {
  const r = await request.get('/v1/catalog/documents/CY-END-300', { headers: { Authorization: `Bearer ${token('admin')}` } });
  const eds = (await r.json()).documents;
  eds[0].title = 'Changed title';
  eds[0].order = 999;
  const put = await request.put('/v1/catalog/drafts/documents/CY-END-300', { headers: { Authorization: `Bearer ${token('admin')}`, 'Content-Type': 'application/json' }, data: JSON.stringify(eds) });
  expect(put.status()).toBe(200);
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Drafts', exact: true }).click();
  const t = page.getByRole('table', { name: 'Fields of CY-END-300 changed by the draft' });
  await expect(t).toContainText('Changed title');
  await expect(t).toContainText('999');
  await screenshot(page, 'drafts2');
  await expectAccessible(page);
});
test('versions', async ({ page, request }) => {
  const h = { Authorization: `Bearer ${token('admin')}`, 'Content-Type': 'application/json' };
  await request.put('/v1/catalog/drafts/templates/templates/NEW-ONE.md', { headers: h, data: JSON.stringify({ text: '# New\n' }) });
  const pub = await request.post('/v1/catalog/versions', { headers: h, data: '{}' });
  expect(pub.status()).toBe(201);
  await signIn(page, 'viewer');
  await page.getByRole('link', { name: 'Versions' }).click();
  const table = page.getByRole('table', { name: 'Catalog versions' });
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await table.locator('tbody tr').nth(1).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /Files \(\d+\)/ })).toBeVisible();
  await expect(page).toHaveURL(/v=1/);
  await table.locator('tbody tr').nth(0).click();
  await expect(page.getByRole('heading', { name: 'Version 1 → 2' })).toBeVisible();
  await expect(page.getByText('templates/NEW-ONE.md')).toBeVisible();
  await screenshot(page, 'versions');
  await expectAccessible(page);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Version 1 → 2' })).toBeVisible();
});
