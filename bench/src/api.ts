/**
 * API overhead: GET /api/scrape-jobs/{id} and tRPC scrapeJobs.get on the real server
 * (apps/server buildApp on a fresh PostgreSQL database) against a hand-written Fastify +
 * `pg` route doing the same query, loaded by autocannon in its own process.
 */
import { createJobInputSchema } from '@scrape-jobs/domain';
import { startTestServer } from '@scrape-jobs/server/test/test-server.ts';
import Fastify from 'fastify';
import pg from 'pg';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { QUICK, ratio, spread, summarize, table, type Summary } from './lib.ts';

const require = createRequire(import.meta.url);
const AUTOCANNON = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
export const CONNECTIONS = 10;
export const DURATION_S = QUICK ? 3 : 5;
export const WARMUP_S = QUICK ? 2 : 3;
export const RUNS = QUICK ? 2 : 3;

/** What the dashboard's and the worker's httpBatchLink send for one `scrapeJobs.get` (no transformer). */
export const trpcGetUrl = (base: string, id: string) => `${base}/trpc/scrapeJobs.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id } }))}`;

export interface Cannon {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export function autocannon(url: string, seconds: number): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(seconds), '--json', url], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

export interface ApiRow {
  target: string;
  rps: Summary;
  p50: Summary;
  p99: Summary;
  non2xx: number;
}

export async function benchApi(): Promise<{ rows: ApiRow[]; tables: string[]; settings: object }> {
  const server = await startTestServer('postgres');
  const job = await server.manager.createJob(createJobInputSchema.parse({ domain: 'api-bench.example.com' }));

  // The hand-written peer: the same query, on its own pool of the same size, same JSON
  // envelope; a named prepared statement, as ours sends (parsed and planned once per connection).
  const pool = new pg.Pool({ connectionString: server.database.url, max: 20 });
  pool.on('error', () => {});
  const raw = Fastify({ logger: false });
  raw.get('/raw/:id', async (request, reply) => {
    const { rows } = await pool.query({ name: 'job_by_id', text: 'SELECT * FROM scrape_jobs WHERE id = $1::uuid', values: [(request.params as { id: string }).id] });
    if (!rows[0]) return reply.code(404).send({ success: false });
    return { success: true, data: rows[0] };
  });
  await raw.listen({ port: 0, host: '127.0.0.1' });
  const rawUrl = `http://127.0.0.1:${(raw.server.address() as { port: number }).port}`;

  const targets = [
    { name: 'hand-written Fastify + pg', url: `${rawUrl}/raw/${job.id}` },
    { name: 'REST GET /api/scrape-jobs/{id}', url: `${server.url}/api/scrape-jobs/${job.id}` },
    { name: 'tRPC scrapeJobs.get', url: trpcGetUrl(server.url, job.id) },
  ];
  for (const t of targets) {
    const res = await fetch(t.url);
    if (res.status !== 200) throw new Error(`${t.name} answered ${res.status}: ${await res.text()}`);
  }
  const samples = new Map<string, Cannon[]>(targets.map((t) => [t.name, []]));
  try {
    for (const t of targets) await autocannon(t.url, WARMUP_S); // warm-up: JIT, pools, plan cache
    for (let r = 0; r < RUNS; r++) {
      for (const t of targets) {
        const c = await autocannon(t.url, DURATION_S); // interleaved, so drift hits every target alike
        samples.get(t.name)!.push(c);
        console.error(`  api: ${t.name}: ${c.rps.toFixed(0)} req/s p50 ${c.p50} ms p99 ${c.p99} ms`);
      }
    }
  } finally {
    await raw.close();
    await pool.end();
    await server.close();
  }
  const rows: ApiRow[] = targets.map((t) => {
    const s = samples.get(t.name)!;
    return {
      target: t.name,
      rps: summarize(s.map((c) => c.rps)),
      p50: summarize(s.map((c) => c.p50)),
      p99: summarize(s.map((c) => c.p99)),
      non2xx: s.reduce((n, c) => n + c.non2xx + c.errors, 0),
    };
  });
  const base = rows[0]!;
  const tables = [
    table(
      `API overhead: one job by id, autocannon -c ${CONNECTIONS}, ${DURATION_S} s a run, median of ${RUNS} (min–max) after a ${WARMUP_S} s warm-up`,
      ['target', 'req/s', 'p50 ms', 'p99 ms', '÷ hand-written', 'non-2xx'],
      rows.map((r) => [r.target, spread(r.rps), spread(r.p50), spread(r.p99), r === base ? '—' : ratio(r.rps.median, base.rps.median), r.non2xx]),
    ),
  ];
  return { rows, tables, settings: { connections: CONNECTIONS, durationS: DURATION_S, warmupS: WARMUP_S, runs: RUNS } };
}
