import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expectAccessible, screenshot, signIn } from './support';

const src = process.env.DOCGEN_SRC ?? '../..';
const quotes = readdirSync(path.join(src, 'examples/quotes')).filter((f) => f.endsWith('.json'));

// What `docgen resolve` says the package holds (ids in order), or null when the quote is invalid.
function resolved(file: string): string[] | null {
  try {
    const out = execFileSync(process.env.DOCGEN_BIN ?? 'docgen', ['resolve', '--catalog', path.join(src, 'examples/acme-cyber'),
      path.join(src, 'examples/quotes', file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(out).documents as { id: string }[]).map((d) => d.id);
  } catch {
    return null;
  }
}

test('each example quote previews the same documents as docgen resolve', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 'generator');
  await page.getByRole('link', { name: 'Package preview' }).click();
  for (const file of quotes) {
    const expected = resolved(file);
    await page.getByLabel(/example quote/i).selectOption({ label: file.replace(/\.json$/, '') });
    await page.getByRole('button', { name: /^Resolve/ }).click();
    if (expected === null) {
      await expect(page.getByRole('main').getByText(/invalid|error/i).locator('visible=true').first()).toBeVisible();
      continue;
    }
    const table = page.getByRole('table', { name: /documents/i }).first();
    await expect(table.locator('tbody tr')).toHaveCount(expected.length);
    const ids = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(ids.map((t) => t.trim())).toEqual(expected);
  }
  await screenshot(page, 'package-preview');
  await expectAccessible(page);
});

test("a package's errors are marked in the quote at their JSON Pointer, and a pointer moves the cursor there", async ({ page }) => {
  await signIn(page, 'generator');
  await page.getByRole('link', { name: 'Package preview' }).click();
  await page.getByLabel(/example quote/i).selectOption({ label: 'unknown-codes' });
  await page.getByRole('button', { name: /^Resolve/ }).click();
  await expect(page.getByText('3 errors marked in the quote')).toBeVisible();
  const editor = page.getByRole('textbox', { name: 'Quote JSON' });
  // The values the pointers designate (/jurisdiction, /agency, /coverages/1/code) are underlined.
  await expect(editor.locator('.cm-lintRange-error', { hasText: '"ZZ"' })).toBeVisible();
  await expect(editor.locator('.cm-lintRange-error', { hasText: '"quantum"' })).toBeVisible();
  await page.getByRole('button', { name: 'Show /coverages/1/code in the editor' }).click();
  await expect(editor).toBeFocused();
  await expect(editor.locator('.cm-activeLine')).toContainText('"quantum"');
  await screenshot(page, 'package-preview-errors');
  await expectAccessible(page);
});
