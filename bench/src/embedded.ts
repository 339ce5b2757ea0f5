/**
 * Embedded against server database: the same code (queue core and API) on PGlite and on
 * PostgreSQL, in the same run. PGlite runs in this process (WebAssembly, one connection);
 * PostgreSQL is the local server the other sections use.
 */
import { openDatabase } from '@scrape-jobs/db';
import { createTestDatabase, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema } from '@scrape-jobs/domain';
import { startTestServer, type TestServer } from '@scrape-jobs/server/test/test-server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autocannon, CONNECTIONS, trpcGetUrl, DURATION_S, RUNS as API_RUNS, WARMUP_S, type Cannon } from './api.ts';
import { ours, JOBS, RUNS as QUEUE_RUNS, throughput, type System, type ThroughputRow } from './queue.ts';
import { ratio, spread, summarize, table, type Summary } from './lib.ts';

const CONCURRENCIES = [1, 8];

/** A PGlite with its data directory on disk, as `DATABASE_URL` unset runs the server (migrated on open). */
async function pgliteOnDisk(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  const db = await openDatabase({ dataDir: join(dir, 'data') });
  return {
    db,
    url: undefined,
    destroy: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const DATABASES: { name: string; open: () => Promise<TestDatabase> }[] = [
  { name: 'PostgreSQL (local server, pool 10)', open: () => createTestDatabase('postgres', { poolSize: 10 }) },
  { name: 'PGlite in memory', open: () => createTestDatabase('pglite') },
  { name: 'PGlite, data dir on disk', open: pgliteOnDisk },
];

export interface EmbeddedApiRow {
  database: string;
  target: string;
  rps: Summary;
  p50: Summary;
  p99: Summary;
  non2xx: number;
}

async function queueRows(): Promise<ThroughputRow[]> {
  const systems: System[] = [];
  try {
    for (const d of DATABASES) systems.push(await ours(d.open, d.name));
    const rows = await throughput(systems, CONCURRENCIES, (row) =>
      console.error(`  embedded queue: ${row.system} c=${row.concurrency}: ${spread(row.jobsPerSecond)} jobs/s${row.timedOut ? ' (deadline hit)' : ''}`),
    );
    return rows;
  } finally {
    for (const s of systems) await s.close();
  }
}

async function apiRows(): Promise<EmbeddedApiRow[]> {
  const servers: { database: string; server: TestServer }[] = [];
  try {
    servers.push({ database: 'PostgreSQL', server: await startTestServer('postgres') });
    servers.push({ database: 'PGlite in memory', server: await startTestServer('pglite') });
    const targets: { database: string; target: string; url: string }[] = [];
    for (const { database, server } of servers) {
      const job = await server.manager.createJob(createJobInputSchema.parse({ domain: 'api-bench.example.com' }));
      targets.push({ database, target: 'REST GET /api/scrape-jobs/{id}', url: `${server.url}/api/scrape-jobs/${job.id}` });
      targets.push({ database, target: 'tRPC scrapeJobs.get', url: trpcGetUrl(server.url, job.id) });
    }
    for (const t of targets) {
      const res = await fetch(t.url);
      if (res.status !== 200) throw new Error(`${t.database} ${t.target} answered ${res.status}: ${await res.text()}`);
    }
    const samples = targets.map(() => [] as Cannon[]);
    for (const t of targets) await autocannon(t.url, WARMUP_S);
    for (let r = 0; r < API_RUNS; r++) {
      for (const [i, t] of targets.entries()) {
        const c = await autocannon(t.url, DURATION_S); // interleaved, so drift hits every target alike
        samples[i]!.push(c);
        console.error(`  embedded api: ${t.database} ${t.target}: ${c.rps.toFixed(0)} req/s p50 ${c.p50} ms`);
      }
    }
    return targets.map((t, i) => ({
      database: t.database,
      target: t.target,
      rps: summarize(samples[i]!.map((c) => c.rps)),
      p50: summarize(samples[i]!.map((c) => c.p50)),
      p99: summarize(samples[i]!.map((c) => c.p99)),
      non2xx: samples[i]!.reduce((n, c) => n + c.non2xx + c.errors, 0),
    }));
  } finally {
    for (const { server } of servers) await server.close();
  }
}

export async function benchEmbedded(): Promise<{ queue: ThroughputRow[]; api: EmbeddedApiRow[]; tables: string[]; settings: object }> {
  const queue = await queueRows();
  const api = await apiRows();
  const pgQueue = (c: number) => queue.find((r) => r.system === DATABASES[0]!.name && r.concurrency === c)!;
  const pgApi = (target: string) => api.find((r) => r.database === 'PostgreSQL' && r.target === target)!;
  const tables = [
    table(
      `Embedded vs server, queue core: our claim → complete of no-op jobs (${JOBS} jobs a run, median of ${QUEUE_RUNS} (min–max), after a warm-up run)`,
      ['database', 'claimers', 'jobs/s', '÷ PostgreSQL'],
      queue.map((r) => [r.system + (r.timedOut ? ' †deadline' : ''), r.concurrency, spread(r.jobsPerSecond), r.system === DATABASES[0]!.name ? '—' : ratio(r.jobsPerSecond.median, pgQueue(r.concurrency).jobsPerSecond.median)]),
    ),
    table(
      `Embedded vs server, API: one job by id, autocannon -c ${CONNECTIONS}, ${DURATION_S} s a run, median of ${API_RUNS} (min–max) after a ${WARMUP_S} s warm-up`,
      ['database', 'target', 'req/s', 'p50 ms', 'p99 ms', 'req/s ÷ PostgreSQL', 'non-2xx'],
      api.map((r) => [r.database, r.target, spread(r.rps), spread(r.p50), spread(r.p99), r.database === 'PostgreSQL' ? '—' : ratio(r.rps.median, pgApi(r.target).rps.median), r.non2xx]),
    ),
  ];
  return { queue, api, tables, settings: { jobs: JOBS, queueRuns: QUEUE_RUNS, concurrencies: CONCURRENCIES, connections: CONNECTIONS, durationS: DURATION_S, warmupS: WARMUP_S, apiRuns: API_RUNS } };
}
