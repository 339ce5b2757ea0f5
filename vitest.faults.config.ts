import { defineConfig } from 'vitest/config';

// The fault-injection suite (`pnpm test:faults`; `npm test` runs it after the other suites):
// one file at a time, since each loads the machine on purpose.
export default defineConfig({
  test: {
    include: ['apps/*/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { LOG_LEVEL: 'warn' },
  },
});
