import { defineConfig, devices } from '@playwright/test';
import { fileURLToPath } from 'node:url';

// End-to-end: Debian's Chromium against the BUILT server (PGlite in a temp dir), a real
// crawler worker and the fixture shop, all started by e2e/global-setup.ts on free ports.
// Needs `pnpm build` first. Screenshots land in <repo>/.test-artifacts/screenshots/.
const artifacts = fileURLToPath(new URL('../../.test-artifacts/', import.meta.url));

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  // One server and one worker are shared: the tests take turns.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: `${artifacts}playwright-results`,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    headless: true,
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
