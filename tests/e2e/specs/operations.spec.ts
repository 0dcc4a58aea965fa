// Registered operations (admin): a refusal shown beside the field it names,
// a dry run's plan, Run enabled only for the inputs dry-run, the run followed
// to its end with its outcome, listed with the runs and audited as ops.run.
// The run is "prune" of the jobs finished more than 3650 days ago: on
// run.sh's fresh data it deletes none (the jobs the earlier specs made stay).
import { test, expect } from '@playwright/test';
import { api, expectAccessible, screenshot, signIn } from './support';

type Run = { id: string; operation: string; dry_run: boolean; actor: string; status: string; steps: number; steps_done: number; plan: string[]; outcomes: string[] };
type Entry = { action: string; actor: string; role: string; target: string; reason?: string; details: Record<string, unknown> };

test('prune: a refusal beside Reason, a dry run with its plan, then a run followed to succeeded and audited', async ({ page, request }) => {
  const reason = `e2e: prune nothing (${Date.now()})`;
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Operations', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Operations' })).toBeVisible();

  const operation = page.getByRole('combobox', { name: 'Operation', exact: true });
  await operation.selectOption('prune');
  await expect(page.getByText(/Apply retention now: delete the jobs finished more than N days ago/)).toBeVisible();
  const days = page.getByRole('spinbutton', { name: /^Older than \(days\)/ });
  await expect(days).toHaveValue('30');
  await days.fill('3650');
  const reasonBox = page.getByRole('textbox', { name: 'Reason', exact: true });
  const dryRun = page.getByRole('button', { name: 'Dry run', exact: true });
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeDisabled();

  // No reason: the server's refusal goes beside the reason field, and what was typed stays.
  await dryRun.click();
  await expect(reasonBox).toHaveAttribute('aria-invalid', 'true');
  await expect(reasonBox).toHaveAccessibleDescription(/say why this operation runs/i);
  await expect(page.getByText('The server refused the dry run: see the message beside Reason.')).toBeVisible();
  await expect(days).toHaveValue('3650');
  await expect(run).toBeDisabled();
  await expectAccessible(page);

  // The dry run: its plan, and Run enabled for exactly these inputs.
  await reasonBox.fill(reason);
  await expect(reasonBox).not.toHaveAttribute('aria-invalid', 'true');
  await dryRun.click();
  await expect(page.getByText('1 step would:', { exact: true })).toBeVisible();
  const plan = page.getByRole('region', { name: /^Plan of dry run op_[0-9a-f]{24}$/ });
  await expect(plan.getByRole('listitem')).toHaveCount(1);
  await expect(plan.getByRole('listitem')).toHaveText(/^delete the jobs finished before \d{4}-\d{2}-\d{2}T/);
  await expect(run).toBeEnabled();
  // Any change needs a new dry run; the same inputs again are those dry-run.
  await reasonBox.fill(`${reason}!`);
  await expect(run).toBeDisabled();
  await expect(page.getByText('The inputs changed since the last dry run: dry run again to enable Run.')).toBeVisible();
  await reasonBox.fill(reason);
  await expect(run).toBeEnabled();

  // The run: queued (202), selected in the URL, followed until it succeeded.
  await run.click();
  await expect(page).toHaveURL(/[?&]run=op_[0-9a-f]{24}/);
  const id = new URL(page.url()).searchParams.get('run') ?? '';
  await expect(page.getByRole('status').filter({ hasText: `Run ${id} queued` })).toBeVisible();
  await expect(run).toBeDisabled();
  const details = page.getByRole('region', { name: `Operation run ${id}` });
  await expect(details.getByRole('heading', { name: new RegExp(`Run ${id} succeeded`) })).toBeVisible({ timeout: 30_000 });
  await expect(details.getByRole('progressbar', { name: `Progress of ${id}: 1 of 1 steps` })).toBeVisible();
  await expect(details.getByRole('region', { name: `Outcomes of ${id}` }).getByRole('listitem')).toHaveText([/^deleted \d+ finished jobs?$/]);
  await expect(details).toContainText(reason);
  await expect(details).toContainText('e2e-admin');

  // The runs list: the run and its dry run.
  const table = page.getByRole('table', { name: 'Operation runs' });
  const row = table.locator('tbody tr', { hasText: id });
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await expect(row).toContainText('prune');
  await expect(row).toContainText('e2e-admin');
  await expect(row).toContainText('succeeded');
  await expect(row).toContainText('1/1');
  await expect(table.locator('tbody tr', { hasText: reason })).toHaveCount(2);
  await screenshot(page, 'operations');
  await expectAccessible(page);

  // The API says the same, and the audit log has it as ops.run (the dry run as ops.dry_run).
  const stored = (await (await api(request, 'admin', 'GET', `/v1/ops/runs/${id}`)).json()) as Run;
  expect(stored).toMatchObject({ operation: 'prune', dry_run: false, actor: 'e2e-admin', status: 'succeeded', steps: 1, steps_done: 1 });
  expect(stored.outcomes).toEqual([expect.stringMatching(/^deleted \d+ finished jobs?$/)]);
  const audited = (await (await api(request, 'admin', 'GET', '/v1/audit?action=ops.run')).json()).entries as Entry[];
  const entry = audited.find((e) => e.target === `ops_run:${id}`);
  expect(entry).toMatchObject({ action: 'ops.run', actor: 'e2e-admin', role: 'admin', reason });
  const dryRuns = (await (await api(request, 'admin', 'GET', '/v1/audit?action=ops.dry_run')).json()).entries as Entry[];
  expect(dryRuns.filter((e) => e.reason === reason)).toHaveLength(1);

  // ...and the Audit log page lists it, linked back to the run.
  await page.goto('/ui/audit?action=ops.run');
  const auditTable = page.getByRole('table', { name: 'Audit log entries' });
  await expect(auditTable).toContainText(`ops_run:${id}`);
  // The target links to the run (the link is named by its text; its title says where it goes).
  const target = auditTable.getByRole('link', { name: `ops_run:${id}` });
  await expect(target).toHaveAttribute('title', `Operation run ${id} on the operations page`);
  await target.click();
  await expect(page).toHaveURL(new RegExp(`/ui/operations\\?run=${id}$`));
  await expect(page.getByRole('region', { name: `Operation run ${id}` })).toContainText('succeeded');
});

test('a viewer has no operations: no link, the page says it needs the admin role, the API refuses', async ({ page, request }) => {
  await signIn(page, 'viewer');
  await expect(page.getByRole('link', { name: 'Operations', exact: true })).toHaveCount(0);
  await page.goto('/ui/operations');
  await expect(page.getByText('This page needs the admin role.')).toBeVisible();
  expect((await api(request, 'viewer', 'GET', '/v1/ops')).status()).toBe(403);
  expect((await api(request, 'viewer', 'POST', '/v1/ops/prune:run', { reason: 'no', params: {}, dry_run: true })).status()).toBe(403);
});
