// Playwright drives Debian's chromium (/usr/bin/chromium): Playwright's own
// browser download cannot work on a closed network. tests/e2e/run.sh starts
// docgen serve and passes its address and tokens in the environment.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './specs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: process.env.DOCGEN_E2E_ARTIFACTS ?? 'test-results',
  use: {
    baseURL: process.env.DOCGEN_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.DOCGEN_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    },
  },
});
