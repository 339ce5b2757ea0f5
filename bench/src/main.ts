import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitRevision, machine, RESULTS_DIR, writeResult } from './lib.ts';
import { benchApi } from './api.ts';
import { benchCrawl } from './crawl.ts';
import { benchEmbedded } from './embedded.ts';
import { benchQueue } from './queue.ts';
import { benchScale } from './scale.ts';

const only = (process.env.BENCH_ONLY ?? 'queue,api,crawl,scale,embedded').split(',').map((s) => s.trim());
const info = await machine();
console.log(`Machine: ${info.cpus} × ${info.cpuModel}, ${info.memoryGb} GB, Node ${info.node}, PostgreSQL ${info.postgres}, ${info.platform}${info.quick ? ', BENCH_QUICK=1' : ''}\n`);
const tables: string[] = [];
const all: Record<string, unknown> = { machine: info, revision: gitRevision() };

async function section(name: string, fn: () => Promise<{ tables: string[] }>) {
  if (!only.includes(name)) return;
  const started = Date.now();
  console.error(`[bench] ${name}…`);
  const result = await fn();
  tables.push(...result.tables);
  const { tables: _t, ...data } = result as { tables: string[] } & Record<string, unknown>;
  all[name] = data;
  writeResult(name, { machine: info, ...data });
  console.error(`[bench] ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await section('queue', benchQueue);
await section('api', benchApi);
await section('crawl', benchCrawl);
await section('scale', benchScale);
await section('embedded', benchEmbedded);

// The combined files only for a full run, so a partial run (BENCH_ONLY) never hides sections.
if (!process.env.BENCH_ONLY) writeResult('latest', all);
if (!process.env.BENCH_ONLY) writeFileSync(join(RESULTS_DIR, 'latest.md'), `Machine: ${info.cpus} × ${info.cpuModel}, ${info.memoryGb} GB, Node ${info.node}, PostgreSQL ${info.postgres}\n\n${tables.join('\n')}`);
process.exit(0);
