#!/usr/bin/env node
// Runs the built fixture server; `pnpm --filter @scrape-jobs/fixture-site build` makes dist/.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('dist/main.js is missing: run `pnpm --filter @scrape-jobs/fixture-site build` first.');
  process.exit(1);
}
await import(main.href);
