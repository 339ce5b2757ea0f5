/**
 * kill -9 workers again and again while 1,000 jobs run against the fixture site: every job
 * still ends in a final state, and the ledger of side effects (the history's terminal
 * transitions) shows no job completed twice.
 */
import { startFixtureSite, type RunningFixtureSite } from '@scrape-jobs/fixture-site';
import type { ClaimSweeper } from '@scrape-jobs/api';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, buildWorker, spawnWorker, startTestServer, sweep, TERMINAL, type TestServer } from '../test/helpers.ts';

const JOBS = 1000;
const WORKERS = 3;
let site: RunningFixtureSite;
let server: TestServer;
let sweeper: ClaimSweeper;

beforeAll(async () => {
  buildWorker();
  site = await startFixtureSite();
  server = await startTestServer('pglite', { claimTimeoutMs: 1500 });
  sweeper = sweep(server, 200);
});
afterAll(async () => {
  await sweeper?.stop();
  await server?.close();
  await site?.close();
});

test(`${JOBS} jobs while workers are killed with SIGKILL again and again: all finish, none completes twice`, { timeout: 480_000 }, async () => {
  // One active job per tenant, domain and type: each job gets its own tenant.
  for (let i = 0; i < JOBS; i++) {
    const r = await api(server.url, 'POST', '/api/scrape-jobs', {
      domain: site.domain,
      job_type: 'single_page',
      customer_config_id: randomUUID(),
      config: { delay: 0, respectRobots: false, maxPages: 1 },
    });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  }
  const started = Date.now();
  let kills = 0;
  let n = 0;
  const workers = new Set<ReturnType<typeof spawnWorker>>();
  const launch = () => {
    const w = spawnWorker(server, `killable-${++n}`, { HEARTBEAT_INTERVAL_MS: '300', POLL_INTERVAL_MS: '100', CONCURRENCY: '4', LOG_LEVEL: 'silent' });
    workers.add(w);
    void w.exited.then(() => workers.delete(w));
  };
  for (let i = 0; i < WORKERS; i++) launch();

  const pending = async () => (await api(server.url, 'GET', '/api/scrape-jobs?status=pending,running&limit=1')).body.pagination.total as number;
  try {
    while ((await pending()) > 0) {
      if (Date.now() - started > 420_000) throw new Error('jobs did not finish in time');
      await new Promise((resolve) => setTimeout(resolve, 700));
      const victim = [...workers][Math.floor(Math.random() * workers.size)];
      if (victim && kills < 25) {
        victim.child.kill('SIGKILL');
        kills++;
        await victim.exited;
        launch();
      }
    }
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
  }
  const elapsed = Date.now() - started;

  const prisma = server.database.db.prisma;
  const byStatus = await prisma.$queryRaw<Array<{ status: string; n: number }>>`SELECT status::text, count(*)::int AS n FROM scrape_jobs GROUP BY status`;
  const counts = Object.fromEntries(byStatus.map((r) => [r.status, r.n]));
  expect(counts.completed).toBe(JOBS);
  const ledger = await prisma.$queryRaw<Array<{ job_id: string; terminal: number; completed: number }>>`
    SELECT job_id, count(*) FILTER (WHERE to_status::text = ANY(${TERMINAL}) AND from_status IS DISTINCT FROM to_status)::int AS terminal,
      count(*) FILTER (WHERE to_status = 'completed' AND from_status IS DISTINCT FROM to_status)::int AS completed
    FROM job_history GROUP BY job_id`;
  expect(ledger).toHaveLength(JOBS);
  expect(ledger.filter((row) => row.completed !== 1 || row.terminal !== 1)).toEqual([]);
  const [released] = await prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM job_history WHERE from_status = 'running' AND to_status = 'pending'`;
  console.log(`faults: ${JOBS} jobs, ${kills} workers killed, ${released!.n} claims released and re-run, all completed once, in ${elapsed} ms`);
  expect(kills).toBeGreaterThan(3);
});
