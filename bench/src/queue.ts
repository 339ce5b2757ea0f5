/**
 * Queue core: no-op jobs through claim → complete on PostgreSQL, ours against
 * graphile-worker and pg-boss (each in its own fresh database on the same server), plus
 * enqueue → claim latency on an idle queue.
 */
import { callerFor, createScrapeJobManager, startStatsFolder, type ScrapeJobManager } from '@scrape-jobs/api';
import { createPostgresDatabase, createTestDatabase, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, MAX_QUEUE_BATCH, OPEN_PRINCIPAL, type UpdateJobFields } from '@scrape-jobs/domain';
import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { freshDatabase, percentile, QUICK, ratio, round, sleep, spread, summarize, table, type Summary } from './lib.ts';

export const JOBS = QUICK ? 400 : 2000;
export const RUNS = QUICK ? 2 : 3;
const LATENCY_SAMPLES = QUICK ? 10 : 30;
const DEADLINE_MS = QUICK ? 10_000 : 20_000;
const CONCURRENCIES = [1, 8];

export interface System {
  name: string;
  /** Claims and completes many jobs per call; compared with ours batched, else with ours unbatched. */
  batched: boolean;
  /** Puts `count` pending jobs on the queue (not timed). */
  enqueue(count: number, tag: string): Promise<void>;
  /** ANALYZE of its database, as autovacuum would have run in a deployment (not timed). */
  analyze(): Promise<void>;
  /** Processes the queue with `concurrency` claimers until it is empty or the deadline passes. */
  drain(concurrency: number, deadline: number): Promise<{ done: number }>;
  close(): Promise<void>;
}

const silentLogger = new Logger(() => () => {});

/** Enqueues one job per call from 8 concurrent callers: the same shape for every system. */
async function eightCallers(count: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) await one(next++);
    }),
  );
}

// ---------------------------------------------------------------- ours

export const OURS_UNBATCHED = 'scrape-jobs (unbatched: claim 1 → PUT completed)';
export const OURS_BATCHED = `scrape-jobs (batched: claim ${MAX_QUEUE_BATCH} → complete ${MAX_QUEUE_BATCH})`;

/**
 * Ours on a fresh migrated database (PostgreSQL by default; the embedded section passes its
 * own), through the service the REST and tRPC routes call, with the server's stats folder
 * running. Unbatched: the worker's own path,
 * `claimNextJob` then the fenced update to completed. Batched: `claimJobs` of up to
 * MAX_QUEUE_BATCH, then one `completeJobs` for them.
 */
export async function ours(
  open: () => Promise<TestDatabase> = () => createTestDatabase('postgres', { poolSize: 10 }),
  name = OURS_UNBATCHED,
  batched = false,
): Promise<System & { database: TestDatabase; manager: ScrapeJobManager }> {
  const database = await open();
  const manager = createScrapeJobManager({ db: database.db });
  const claimAndComplete = async (workerId: string): Promise<number> => {
    const caller = callerFor({ principal: OPEN_PRINCIPAL, workerId });
    if (batched) {
      const jobs = await manager.claimJobs({ workerId, limit: MAX_QUEUE_BATCH }, caller);
      if (jobs.length === 0) return 0;
      const { completed } = await manager.completeJobs(jobs.map((job) => ({ id: job.id, claimToken: job.claim_token })), caller);
      return completed.length;
    }
    const job = await manager.claimNextJob({ workerId }, caller);
    if (!job) return 0;
    await manager.updateJob(job.id, { status: 'completed', claim_token: job.claim_token } as UpdateJobFields, caller);
    return 1;
  };
  return {
    name,
    batched,
    database,
    manager,
    async enqueue(count, tag) {
      await eightCallers(count, (i) => manager.createJob(createJobInputSchema.parse({ domain: `q${tag}-${i}.example.com` })));
      await manager.foldJobStats(); // the creations' share of the deferred stats work
    },
    analyze: async () => {
      await database.db.prisma.$executeRawUnsafe('ANALYZE');
    },
    async drain(concurrency, deadline) {
      let done = 0;
      // As the server does: the stats changes folded every second, and what is left at the
      // end folded inside the timed run, so the statistics' deferred work is counted too.
      const folder = startStatsFolder(manager, { intervalMs: 1000 });
      await Promise.all(
        Array.from({ length: concurrency }, async (_, k) => {
          while (performance.now() < deadline) {
            const n = await claimAndComplete(`bench-${k}`);
            if (n === 0) return;
            done += n;
          }
        }),
      );
      await folder.stop();
      await manager.foldJobStats();
      return { done };
    },
    close: () => database.destroy(),
  };
}

// ---------------------------------------------------------------- the row floor

const FLOOR_UNBATCHED = 'row floor (unbatched: bare UPDATE claim 1 → complete 1)';
const FLOOR_BATCHED = `row floor (batched: bare UPDATE claim ${MAX_QUEUE_BATCH} → complete ${MAX_QUEUE_BATCH})`;

/**
 * Not a mode of the product: our claim and completion as nothing but the two UPDATEs of a
 * `scrape_jobs` row (same table, indexes, constraints, claim order, SKIP LOCKED, claim
 * token), with no job history, no statistics, no change feed and no webhook outbox (the
 * table's triggers disabled) and no service around them, on `pg` with prepared statements.
 * It is how fast a queue on this table could be if it kept none of the guarantees those
 * give, so each gap to a peer splits into the row's share and the rest's.
 */
async function rowFloor(batched: boolean): Promise<System> {
  const database = await createPostgresDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  pool.on('error', () => {});
  await pool.query('ALTER TABLE scrape_jobs DISABLE TRIGGER USER');
  const limit = batched ? MAX_QUEUE_BATCH : 1;
  const claim = {
    name: `floor_claim_${limit}`,
    text: `UPDATE scrape_jobs j SET status = 'running', worker_id = $1, claimed_at = now(), started_at = now(),
             claim_token = gen_random_uuid(), claim_expires_at = now() + interval '10 minutes', updated_at = now()
           FROM (SELECT id FROM scrape_jobs WHERE status = 'pending' AND available_at <= now()
                 ORDER BY priority DESC, retry_count ASC, created_at ASC LIMIT ${limit} FOR UPDATE SKIP LOCKED) next
           WHERE j.id = next.id RETURNING j.*`,
  };
  const complete = {
    name: 'floor_complete',
    text: `UPDATE scrape_jobs j SET status = 'completed', completed_at = now(), claim_token = NULL, claim_expires_at = NULL, updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[]) AS held(id, claim_token)
           WHERE j.id = held.id AND j.claim_token = held.claim_token AND j.status = 'running' AND j.claim_expires_at > now()
           RETURNING j.*`,
  };
  return {
    name: batched ? FLOOR_BATCHED : FLOOR_UNBATCHED,
    batched,
    async enqueue(count, tag) {
      await eightCallers(count, (i) => pool.query({ name: 'floor_enqueue', text: 'INSERT INTO scrape_jobs (domain) VALUES ($1)', values: [`f${tag}-${i}.example.com`] }));
    },
    analyze: async () => {
      await pool.query('ANALYZE');
    },
    async drain(concurrency, deadline) {
      let done = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, k) => {
          while (performance.now() < deadline) {
            const { rows } = await pool.query<{ id: string; claim_token: string }>({ ...claim, values: [`floor-${k}`] });
            if (rows.length === 0) return;
            const completed = await pool.query({ ...complete, values: [rows.map((r) => r.id), rows.map((r) => r.claim_token)] });
            done += completed.rowCount ?? 0;
          }
        }),
      );
      return { done };
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

// ---------------------------------------------------------------- graphile-worker

async function waitEmpty(pool: pg.Pool, countSql: string, deadline: number): Promise<number> {
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(countSql);
    const left = rows[0]!.n;
    if (left === 0 || performance.now() >= deadline) return left;
    await sleep(5);
  }
}

async function graphile(fast: boolean): Promise<System & { utils: WorkerUtils; url: string }> {
  const database = await freshDatabase('bench_graphile');
  const pool = new pg.Pool({ connectionString: database.url, max: 12 });
  pool.on('error', () => {});
  const utils = await makeWorkerUtils({ pgPool: pool, logger: silentLogger });
  await utils.migrate();
  const countSql = 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs';
  return {
    name: fast ? 'graphile-worker (fast: localQueue 500, batch delay 0)' : 'graphile-worker (defaults, unbatched)',
    batched: fast,
    utils,
    url: database.url,
    async enqueue(count) {
      await eightCallers(count, () => utils.addJob('noop', {}));
    },
    analyze: async () => {
      await pool.query('ANALYZE');
    },
    async drain(concurrency, deadline) {
      const { rows } = await pool.query<{ n: number }>(countSql);
      const total = rows[0]!.n;
      const runner: Runner = await run({
        pgPool: pool,
        concurrency,
        noHandleSignals: true,
        pollInterval: 2000,
        logger: silentLogger,
        taskList: { noop: async () => {} },
        ...(fast ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } } : {}),
      });
      const left = await waitEmpty(pool, countSql, deadline);
      await runner.stop();
      await pool.query('DELETE FROM graphile_worker._private_jobs');
      return { done: total - left };
    },
    async close() {
      await utils.release();
      await pool.end();
      await database.drop();
    },
  };
}

// ---------------------------------------------------------------- pg-boss

async function pgBoss(batched: boolean): Promise<System & { boss: PgBoss }> {
  const database = await freshDatabase('bench_pgboss');
  const boss = new PgBoss({ connectionString: database.url, max: 12, supervise: false, schedule: false, useListenNotify: true });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('noop');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => {});
  const countSql = "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'noop' AND state <> 'completed'";
  return {
    name: batched ? 'pg-boss (work(): batchSize 50, burstWhenBatchFull)' : 'pg-boss (unbatched: fetch 1 → complete 1)',
    batched,
    boss,
    async enqueue(count) {
      await eightCallers(count, () => boss.send('noop', {}));
    },
    analyze: async () => {
      await pool.query('ANALYZE');
    },
    async drain(concurrency, deadline) {
      if (!batched) {
        // Unbatched: each claimer fetches one job and completes it, the same shape as ours.
        let done = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (performance.now() < deadline) {
              const [job] = await boss.fetch('noop', { batchSize: 1 });
              if (!job) return;
              await boss.complete('noop', job.id);
              done++;
            }
          }),
        );
        await pool.query("DELETE FROM pgboss.job WHERE name = 'noop'");
        return { done };
      }
      const { rows } = await pool.query<{ n: number }>(countSql);
      const total = rows[0]!.n;
      await boss.work('noop', { batchSize: 50, localConcurrency: concurrency, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, async () => {});
      const left = await waitEmpty(pool, countSql, deadline);
      await boss.offWork('noop', { wait: true });
      await pool.query("DELETE FROM pgboss.job WHERE name = 'noop'");
      return { done: total - left };
    },
    async close() {
      await boss.stop({ graceful: false }).catch(() => {});
      await pool.end();
      await database.drop();
    },
  };
}

// ---------------------------------------------------------------- throughput

export interface ThroughputRow {
  system: string;
  batched: boolean;
  concurrency: number;
  jobsPerSecond: Summary;
  /** Enqueue rate of the same runs: one job per call, 8 concurrent callers. */
  enqueuePerSecond: Summary;
  timedOut: boolean;
}

/**
 * Every system at every concurrency, the runs interleaved: round r of each before round r+1
 * of any, so that a slow minute of the machine (a shared VM drifts) hits all alike. Round -1
 * is the warm-up (a quarter of the jobs, not counted).
 */
export async function throughput(systems: System[], concurrencies: number[], log: (row: ThroughputRow) => void): Promise<ThroughputRow[]> {
  const runs = systems.flatMap((system) => concurrencies.map((concurrency) => ({ system, concurrency, rates: [] as number[], enqueueRates: [] as number[], timedOut: false })));
  for (let r = -1; r < RUNS; r++) {
    for (const run of runs) {
      const count = r < 0 ? Math.max(100, JOBS / 4) : JOBS;
      const enqueued = performance.now();
      await run.system.enqueue(count, `${run.concurrency}-${r + 1}-${Math.random().toString(36).slice(2, 6)}`);
      if (r >= 0) run.enqueueRates.push((count / (performance.now() - enqueued)) * 1000);
      // Fresh tables have no statistics: every system's planner would guess at the claim.
      await run.system.analyze();
      const start = performance.now();
      const { done } = await run.system.drain(run.concurrency, start + DEADLINE_MS);
      const ms = performance.now() - start;
      if (r < 0) continue;
      if (done < count) run.timedOut = true;
      run.rates.push((done / ms) * 1000);
    }
  }
  const rows = runs.map((run) => ({
    system: run.system.name,
    batched: run.system.batched,
    concurrency: run.concurrency,
    jobsPerSecond: summarize(run.rates),
    enqueuePerSecond: summarize(run.enqueueRates),
    timedOut: run.timedOut,
  }));
  rows.forEach(log);
  return rows;
}

// ---------------------------------------------------------------- latency

interface LatencyRow {
  system: string;
  p50: number;
  p99: number;
  max: number;
  samples: number[];
}

function latencyRow(system: string, samples: number[]): LatencyRow {
  return { system, p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2), max: round(Math.max(...samples), 2), samples: samples.map((s) => round(s, 2)) };
}

async function measureLatency(enqueue: (i: number) => Promise<unknown>, waiters: Map<number, () => void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = -3; i < LATENCY_SAMPLES; i++) {
    const seen = new Promise<void>((resolve) => waiters.set(i, resolve));
    const t0 = performance.now();
    await enqueue(i);
    await Promise.race([seen, sleep(5000)]);
    if (i >= 0) samples.push(performance.now() - t0);
    await sleep(25);
  }
  return samples;
}

async function oursLatency(): Promise<LatencyRow> {
  const database = await createTestDatabase('postgres', { poolSize: 10 });
  const manager = createScrapeJobManager({ db: database.db });
  const waiters = new Map<number, () => void>();
  let busy = false;
  // The worker's idle mode: wake on the change feed's "pending" (apps/worker/src/worker.ts), claim, complete.
  const claimAll = async () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        const job = await manager.claimNextJob({ workerId: 'lat' });
        if (!job) break;
        const i = Number(/^lat(-?\d+)\./.exec(job.domain)?.[1]);
        waiters.get(i)?.();
        await manager.updateJob(job.id, { status: 'completed', claim_token: job.claim_token } as UpdateJobFields, callerFor({ principal: OPEN_PRINCIPAL, workerId: 'lat' }));
      }
    } finally {
      busy = false;
    }
  };
  // As the worker subscribes (into_statuses pending): not watching, so claims and completions are not announced.
  const off = database.db.onJobChange(
    (change) => {
      if (change.new_status === 'pending') void claimAll();
    },
    { watch: false },
  );
  const poll = setInterval(() => void claimAll(), 2000);
  await sleep(300); // LISTEN connection up
  const samples = await measureLatency((i) => manager.createJob(createJobInputSchema.parse({ domain: `lat${i}.example.com` })), waiters);
  clearInterval(poll);
  off();
  while (busy) await sleep(10);
  await database.destroy();
  return latencyRow('scrape-jobs (change feed + claim)', samples);
}

async function graphileLatency(): Promise<LatencyRow> {
  const database = await freshDatabase('bench_graphile_lat');
  const pool = new pg.Pool({ connectionString: database.url, max: 6 });
  pool.on('error', () => {});
  const utils = await makeWorkerUtils({ pgPool: pool, logger: silentLogger });
  await utils.migrate();
  const waiters = new Map<number, () => void>();
  const runner = await run({
    pgPool: pool,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: silentLogger,
    taskList: { noop: async (payload) => waiters.get((payload as { i: number }).i)?.() },
  });
  await sleep(300);
  const samples = await measureLatency((i) => utils.addJob('noop', { i }), waiters);
  await runner.stop();
  await utils.release();
  await pool.end();
  await database.drop();
  return latencyRow('graphile-worker (LISTEN/NOTIFY, defaults)', samples);
}

async function pgBossLatency(): Promise<LatencyRow> {
  const database = await freshDatabase('bench_pgboss_lat');
  const boss = new PgBoss({ connectionString: database.url, max: 6, supervise: false, schedule: false, useListenNotify: true });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('lat', { notify: true });
  const waiters = new Map<number, () => void>();
  await boss.work<{ i: number }>('lat', { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) waiters.get(job.data.i)?.();
  });
  await sleep(300);
  const samples = await measureLatency((i) => boss.send('lat', { i }), waiters);
  await boss.stop({ graceful: false }).catch(() => {});
  await database.drop();
  return latencyRow('pg-boss (queue notify, poll 0.5 s)', samples);
}

// ---------------------------------------------------------------- main

export async function benchQueue(): Promise<{ throughput: ThroughputRow[]; latency: LatencyRow[]; tables: string[]; settings: object }> {
  const factories: (() => Promise<System>)[] = [
    () => ours(),
    () => ours(undefined, OURS_BATCHED, true),
    () => rowFloor(false),
    () => rowFloor(true),
    () => graphile(false),
    () => graphile(true),
    () => pgBoss(false),
    () => pgBoss(true),
  ];
  const systems: System[] = [];
  let rows: ThroughputRow[];
  try {
    for (const make of factories) systems.push(await make());
    rows = await throughput(systems, CONCURRENCIES, (row) =>
      console.error(`  queue: ${row.system} c=${row.concurrency}: ${spread(row.jobsPerSecond)} jobs/s${row.timedOut ? ' (deadline hit)' : ''}`),
    );
  } finally {
    for (const system of systems) await system.close();
  }
  const tables: string[] = [];
  tables.push(
    table(
      `Queue core: no-op jobs claim → complete on PostgreSQL (${JOBS} jobs a run, median of ${RUNS} (min–max), after a warm-up run)`,
      ['system', 'claimers', 'jobs/s', 'ours (same mode) ÷ this', 'row floor (same mode) ÷ this'],
      rows.map((row) => {
        const sameMode = (name: string) => rows.find((r) => r.system === name && r.concurrency === row.concurrency)!;
        const mine = sameMode(row.batched ? OURS_BATCHED : OURS_UNBATCHED);
        const floor = sameMode(row.batched ? FLOOR_BATCHED : FLOOR_UNBATCHED);
        const versus = (base: ThroughputRow) => (row === base ? '—' : ratio(base.jobsPerSecond.median, row.jobsPerSecond.median));
        return [row.system + (row.timedOut ? ' †deadline' : ''), row.concurrency, spread(row.jobsPerSecond), versus(mine), versus(floor)];
      }),
    ),
  );
  const enqueueRows = rows.filter((r) => r.concurrency === 1 && !r.batched);
  tables.push(
    table(
      `Enqueue: one job per call, 8 concurrent callers (${JOBS} jobs a run, median of ${RUNS} (min–max))`,
      ['system', 'jobs/s', 'ours ÷ this'],
      enqueueRows.map((row) => [row.system.replace(/ \(.*\)$/, ''), spread(row.enqueuePerSecond), row === enqueueRows[0] ? '—' : ratio(enqueueRows[0]!.enqueuePerSecond.median, row.enqueuePerSecond.median)]),
    ),
  );
  const latency = [await oursLatency(), await graphileLatency(), await pgBossLatency()];
  for (const l of latency) console.error(`  latency: ${l.system}: p50 ${l.p50} ms`);
  tables.push(
    table(
      `Enqueue → claim latency on an idle queue (${LATENCY_SAMPLES} samples, one at a time, after 3 warm-up jobs)`,
      ['system', 'p50 ms', 'p99 ms', 'max ms', 'ours p50 ÷ this p50'],
      latency.map((l) => [l.system, l.p50, l.p99, l.max, l === latency[0] ? '—' : ratio(latency[0]!.p50, l.p50)]),
    ),
  );
  return { throughput: rows, latency, tables, settings: { jobs: JOBS, runs: RUNS, latencySamples: LATENCY_SAMPLES, deadlineMs: DEADLINE_MS } };
}
