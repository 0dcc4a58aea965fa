// The Validator page: one policy checked beside its quote's explain, a batch
// uploaded and its results grouped by finding code, and what a viewer sees.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expectAccessible, screenshot, signIn, apiHeaders } from './support';

const src = process.env.DOCGEN_SRC ?? '../..';
const policiesFile = path.join(src, 'examples/validate/policies.jsonl');
const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
const policies = jsonLines(policiesFile) as { policy_id: string }[];
const expected = jsonLines(path.join(src, 'examples/validate/expected.jsonl')) as { policy_id: string; ok: boolean; findings: { code: string }[] }[];
const count = (code: string) => expected.flatMap((e) => e.findings).filter((f) => f.code === code).length;
const policiesWith = (code: string) => expected.filter((e) => e.findings.some((f) => f.code === code)).length;

test('a policy of examples/validate gives the findings of expected.jsonl, beside the explain of its quote', async ({ page }) => {
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/policies:validate')) sent.push(r.url());
  });
  await signIn(page, 'generator');
  await page.getByRole('link', { name: 'Validator' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Validator' })).toBeVisible();

  // Text that is not JSON: the line and column, and nothing sent.
  const editor = page.getByRole('textbox', { name: 'Policy JSON' });
  await expect(editor).toContainText('POL-new-ca-basic');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('{\n  "policy_id": "X"\n  "quote": {}\n}');
  await expect(page.getByText(/Not JSON, so nothing is sent: line 3, column 3/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Validate', exact: true })).toBeDisabled();
  expect(sent).toEqual([]);

  const want = expected.find((e) => e.policy_id === 'POL-1002')!;
  await page.getByLabel('Example policy').selectOption({ label: 'POL-1002' });
  await expect(editor).toContainText('POL-1002');
  await page.getByRole('button', { name: 'Validate', exact: true }).click();
  const report = page.getByRole('region', { name: 'Result', exact: true });
  await expect(report.getByText(want.ok ? 'ok' : 'not ok', { exact: true })).toBeVisible();
  const codes = await report.getByRole('table', { name: /^Findings of the policy/ }).locator('tbody tr td:nth-child(2)').allInnerTexts();
  expect(codes.map((c) => c.trim()).sort()).toEqual(want.findings.map((f) => f.code).sort());
  // The explain of the policy's quote, the documents the findings name marked.
  const explain = report.getByRole('table', { name: /Why each edition/ });
  await expect(explain.locator('tbody tr', { hasText: 'CY-END-101' }).first()).toContainText('in findings');
  await expect(explain.locator('tbody tr', { hasText: 'CY-DEC' }).first()).not.toContainText('in findings');
  expect(sent).toHaveLength(1);
  await expectAccessible(page);
});

test('the example batch uploads, succeeds, and shows its results grouped by finding code', async ({ page }) => {
  await signIn(page, 'generator');
  await page.getByRole('link', { name: 'Validator' }).click();
  await page.getByLabel('JSON Lines file', { exact: true }).setInputFiles(policiesFile);
  await expect(page.getByText(`${policies.length} policies from policies.jsonl`)).toBeVisible();
  await page.getByRole('button', { name: 'Submit batch' }).click();

  const batch = page.getByRole('region', { name: /^Batch val_/ });
  await expect(batch.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 30_000 });
  const summary = batch.getByRole('table', { name: 'Summary' });
  await expect(summary.locator('tr', { has: page.getByRole('rowheader', { name: 'Policies', exact: true }) }).locator('td')).toHaveText(String(policies.length));
  expect(policies.length).toBe(12);

  const group = batch.getByRole('heading', { name: /^missing_document/ });
  await expect(group).toBeVisible();
  await expect(group).toContainText(`${count('missing_document')} findings in ${policiesWith('missing_document')} policies`);
  const rows = batch.getByRole('table', { name: /^Policies with missing_document/ }).locator('tbody tr');
  await expect(rows).toHaveCount(count('missing_document'));

  // The list shows it done.
  const id = (await batch.getByRole('heading', { level: 3 }).locator('code').innerText()).trim();
  await expect(page.getByRole('table', { name: 'Batch validations' }).locator('tbody tr', { hasText: id })).toContainText(`${policies.length}/${policies.length}`);

  // The results file, one result a line in input order.
  const download = page.waitForEvent('download');
  await batch.getByRole('button', { name: /results\.jsonl/ }).click();
  const saved = await (await download).path();
  const results = readFileSync(saved!, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { policy_id: string });
  expect(results.map((r) => r.policy_id)).toEqual(policies.map((p) => p.policy_id));

  // A policy opens with its findings beside the explain of its quote (the batch was sent from this tab).
  await rows.filter({ hasText: 'POL-1002' }).first().click();
  const report = page.getByRole('region', { name: /^Policy 2 of 12/ });
  await expect(report.getByRole('table', { name: /^Findings of the policy/ }).locator('tbody tr')).toHaveCount(expected[1]!.findings.length);
  await expect(report.getByRole('table', { name: /Why each edition/ }).locator('tbody tr', { hasText: 'CY-NOT-CA' }).first()).toContainText('in findings');
  await screenshot(page, 'validator');
  await expectAccessible(page);
});

test('a viewer follows batches and reads their findings, with no controls to submit or cancel', async ({ page, request }) => {
  const created = await request.fetch('/v1/validations', {
    method: 'POST',
    headers: apiHeaders('generator', 'application/x-ndjson'),
    data: readFileSync(policiesFile, 'utf8'),
  });
  expect(created.status()).toBe(202);
  const { id } = (await created.json()) as { id: string };

  await signIn(page, 'viewer');
  await page.getByRole('link', { name: 'Validator' }).click();
  await expect(page.getByText(/need the generator role/)).toBeVisible();
  await expect(page.getByRole('button', { name: /^(Validate|Submit batch)$/ })).toHaveCount(0);
  await expect(page.getByLabel('JSON Lines file')).toHaveCount(0);
  await page.getByRole('table', { name: 'Batch validations' }).locator('tbody tr', { hasText: id }).click();
  const batch = page.getByRole('region', { name: `Batch ${id}` });
  await expect(batch.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await batch.getByRole('table', { name: /^Policies with stale_edition/ }).locator('tbody tr').first().click();
  const report = page.getByRole('region', { name: /^Policy \d+ of 12/ });
  await expect(report.getByRole('table', { name: /^Findings of the policy/ })).toContainText('stale_edition');
  await expect(report.getByText(/needs the generator role/)).toBeVisible();
  await expectAccessible(page);
});
