// Editing: a template draft with its preview and lint errors at their
// line, a document draft's field diff, the versions page after a publish
// (one version's documents and files; two versions compared: the fields and
// files changed, a file's line diff), and a document edited through the
// editor's controls from a lint error to a published version, compared with
// the version before. This file runs last (files run in name order, one at
// a time): it publishes the drafts it made, which changes the catalog.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { api, expectAccessible, screenshot, signIn } from './support';

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
  // ...and marked at its line in the editor's gutter.
  await expect(page.locator('.cm-lint-marker-error').first()).toBeVisible();
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
  const r = await api(request, 'admin', 'GET', '/v1/catalog/documents/CY-END-300');
  const eds = (await r.json()).documents;
  eds[0].title = 'Changed title';
  eds[0].order = 999;
  const put = await api(request, 'admin', 'PUT', '/v1/catalog/drafts/documents/CY-END-300', eds);
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
  await api(request, 'admin', 'PUT', '/v1/catalog/drafts/templates/templates/NEW-ONE.md', { text: '# New\n' });
  const pub = await api(request, 'admin', 'POST', '/v1/catalog/versions', {});
  expect(pub.status()).toBe(201);
  await signIn(page, 'viewer');
  await page.getByRole('link', { name: 'Versions' }).click();
  const table = page.getByRole('table', { name: 'Catalog versions' });
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await table.locator('tbody tr').nth(1).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /Files \(\d+\)/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Documents of version 1' })).toContainText('CY-END-300');
  await expect(page).toHaveURL(/v=1/);
  await table.locator('tbody tr').nth(0).click();
  await expect(page.getByRole('heading', { name: 'Version 1 → 2' })).toBeVisible();
  await expect(page.getByText('templates/NEW-ONE.md')).toBeVisible();
  // What the drafts published: the drafted document's fields, and the drafted template's lines (loaded when expanded).
  const fields = page.getByRole('table', { name: 'Fields of CY-END-300 changed from version 1 to version 2' });
  await expect(fields).toContainText('Changed title');
  await expect(fields).toContainText('999');
  await page.locator('summary', { hasText: 'templates/CY-END-101.md' }).click();
  await expect(page.getByRole('region', { name: 'Changes to templates/CY-END-101.md from version 1 to version 2' })).toContainText('Added line.');
  await screenshot(page, 'versions');
  await expectAccessible(page);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Version 1 → 2' })).toBeVisible();
});

test('document editor: attach and applies_to through the controls, a lint error beside its field, fixed, previewed, published', async ({ page, request }) => {
  test.setTimeout(180_000);
  const id = 'CY-END-150';
  const title = 'Program Enhancement Endorsement (edited)';
  const versionsBefore = ((await (await api(request, 'viewer', 'GET', '/v1/catalog/versions')).json()).versions as unknown[]).length;
  await signIn(page, 'admin');
  await page.goto(`/ui/documents/${id}/edit`);
  const fields = page.getByRole('region', { name: `Fields of edition 2024-06 of ${id}` });
  await expect(fields.getByLabel('Title', { exact: true })).toHaveValue('Program Enhancement Endorsement');

  // The attach grid: copy is not offered for new business.
  await expect(fields.getByRole('radio', { name: 'Attach on new: yes' })).toBeChecked();
  await expect(fields.getByRole('radio', { name: 'Attach on new: copy' })).toHaveCount(0);
  await fields.getByRole('radio', { name: 'Attach on renewal: copy' }).check();
  // applies_to: checklists of the catalog's codes.
  const jurisdictions = fields.getByRole('group', { name: /^Jurisdictions/ });
  await jurisdictions.getByRole('checkbox', { name: 'NY' }).check();
  await jurisdictions.getByRole('checkbox', { name: 'CA' }).check();
  await fields.getByRole('group', { name: /^Coverages$/ }).getByRole('checkbox', { name: 'ransomware' }).check();
  await fields.getByRole('radio', { name: /^all/ }).check();
  await fields.getByLabel('Title', { exact: true }).fill(title);
  await fields.getByLabel('Multiple', { exact: true }).check();
  // An effective window that ends before it starts: the form lets it through (with a hint), lint refuses it.
  await fields.getByLabel('Effective from').fill('2025-01-01');
  await fields.getByLabel('Effective until').fill('2024-01-01');
  const window = fields.getByRole('group', { name: 'Effective window' });
  await expect(window).toContainText('The window is empty');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('Lint finds errors: publishing is refused')).toBeVisible();
  await expect(window).toContainText('The effective window is empty: "until" must be after "from". (invalid_value)');
  await expect(fields.getByLabel('Effective until')).toHaveValue('2024-01-01'); // nothing typed is lost
  await screenshot(page, 'editor-lint-error');
  await expectAccessible(page);

  // Fix it: the finding goes, lint passes.
  await fields.getByLabel('Effective until').fill('2027-01-01');
  await expect(window).not.toContainText('invalid_value');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText('Draft saved. Lint finds no errors.')).toBeVisible();
  const saved = (await (await api(request, 'admin', 'GET', `/v1/catalog/drafts/documents/${id}`)).json()).editions[0];
  expect(saved.attach).toEqual({ new: 'yes', renewal: 'copy', reissue: 'yes' });
  expect(saved.applies_to).toMatchObject({ jurisdictions: ['CA', 'NY'], coverages: ['ransomware'], coverages_match: 'all', effective: { from: '2025-01-01', until: '2027-01-01' } });
  expect(saved.multiple).toBe(true);

  // The template: {{doc.ti completed to {{doc.title}}, highlighted; the live preview shows the edited title.
  const editor = page.getByRole('textbox', { name: `Template templates/${id}.md (Markdown)` });
  await expect(editor).toContainText('Program Enhancement Endorsement');
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n\nTitle: {{doc.ti');
  await expect(page.getByRole('option', { name: /doc\.title/, selected: true })).toBeVisible();
  await page.waitForTimeout(300); // CodeMirror ignores Enter in the first 75 ms of a completion list
  await page.keyboard.press('Enter');
  await expect(editor).toContainText('Title: {{doc.title}}');
  await expect(editor.locator('[data-mustache="variable"]', { hasText: '{{doc.title}}' })).toBeVisible();
  // The PDF's title (its metadata) and its text, which the viewer keeps beside each page for screen readers.
  const pdf = page.getByRole('region', { name: `Preview PDF of ${id}` });
  await expect(pdf.locator('.pdf-title')).toHaveText(title, { timeout: 30_000 });
  await expect(pdf.locator('.pdf-text').first()).toContainText(`Title: ${title}`, { timeout: 30_000 });
  await expect(page.getByText('Saved as a draft.')).toBeVisible();
  await screenshot(page, 'document-editor');
  await expectAccessible(page);

  // Publish from the Drafts page, and see the new version.
  await page.getByRole('link', { name: 'Drafts', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Drafted templates (1)' })).toBeVisible();
  await page.getByRole('button', { name: 'Publish drafts as a new version' }).click();
  await expect(page.getByText(`Published version ${versionsBefore + 1}`)).toBeVisible();
  await page.getByRole('link', { name: 'Versions' }).click();
  const versions = page.getByRole('table', { name: 'Catalog versions' });
  await expect(versions.locator('tbody tr')).toHaveCount(versionsBefore + 1);
  await expect(versions).toContainText(String(versionsBefore + 1));
  // Compared with the version before (newest first: select both rows): the edited fields, and the template's new line.
  await versions.locator('tbody tr').nth(0).click();
  await versions.locator('tbody tr').nth(1).click();
  await expect(page.getByRole('heading', { name: `Version ${versionsBefore} → ${versionsBefore + 1}` })).toBeVisible();
  const changed = page.getByRole('table', { name: `Fields of ${id} changed from version ${versionsBefore} to version ${versionsBefore + 1}` });
  await expect(changed).toContainText(title);
  await expect(changed).toContainText('applies_to');
  await page.locator('summary', { hasText: `templates/${id}.md` }).click();
  await expect(page.getByRole('region', { name: `Changes to templates/${id}.md from version ${versionsBefore} to version ${versionsBefore + 1}` })).toContainText(
    'Title: {{doc.title}}',
  );
  await screenshot(page, 'versions-compared');
  await expectAccessible(page);
  const published = (await (await api(request, 'viewer', 'GET', `/v1/catalog/documents/${id}`)).json()).documents[0];
  expect(published.title).toBe(title);
  expect(published.attach.renewal).toBe('copy');
});
