/**
 * The stats rollups (kept by triggers on scrape_jobs) against the table itself: after many
 * creates, claims, heartbeats, completions, failures, cancels, retries, releases and stats
 * updates — concurrent on PostgreSQL, one at a time on PGlite (one connection) — the report
 * read from the rollups equals the report computed from scrape_jobs for every scope, and
 * the rollup rows equal a recompute from scratch (job_stats_rebuild, the migration's backfill),
 * both with job changes still pending and after they were folded into the rollups, with
 * folds racing the writers.
 */
import { computeJobStats, type StatsScope } from '@scrape-jobs/db';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, DomainError, JOB_TYPES, listJobsInputSchema, OPEN_PRINCIPAL, updateJobFieldsSchema, type ScrapeJob } from '@scrape-jobs/domain';
import { afterEach, describe, expect, test } from 'vitest';
import { callerFor, createScrapeJobManager } from '../src/index.ts';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';
const TENANTS = [null, TENANT_A, TENANT_B] as const;
const ERRORS = ['Request timeout', 'DNS lookup failed', 'HTTP 503 from origin', 'x'.repeat(5000)];
const ROLLUPS = {
  job_stats_totals: 'jobs <> 0',
  job_stats_hourly: 'created <> 0 OR completed <> 0 OR finished <> 0',
  job_stats_durations: 'jobs <> 0',
  job_stats_errors: 'jobs <> 0',
  job_stats_domains: 'jobs <> 0 OR failed <> 0',
};
const DAY_MS = 86_400_000;

const opened: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.destroy()));
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every rollup row that is not all zeros (the triggers keep rows that fell back to zero), in a stable order. */
async function rollupRows(database: TestDatabase): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, nonZero] of Object.entries(ROLLUPS)) {
    const rows = await database.db.prisma.$queryRawUnsafe<Array<{ r: string }>>(`SELECT to_jsonb(t)::text AS r FROM ${table} t WHERE ${nonZero} ORDER BY 1`);
    // JSON numbers: a numeric sum's scale (1.500 against 1.5) does not matter.
    out[table] = rows.map((row) => JSON.parse(row.r));
  }
  return out;
}

describe.each(['postgres', 'pglite'] as const satisfies readonly DatabaseKind[])('the stats rollups on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});

  test('after many writers the rollup report equals the table report for every scope, and a recompute equals the rollups', async () => {
    const database = await createTestDatabase(kind, { poolSize: 12 });
    opened.push(database);
    const random = prng(kind === 'postgres' ? 6 : 7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    // Time runs forward by a random step on every call, from 40 days ago: the jobs spread over
    // many hours and days, so the trends' windows and edge hours all have jobs on both sides.
    let nowMs = Date.parse('2026-11-01T00:00:00.000Z');
    const clock = () => new Date((nowMs += Math.floor(random() * 90 * 60_000)));
    const manager = createScrapeJobManager({ db: database.db, clock, claimTimeoutMs: 1000 * DAY_MS, random });
    const known: ScrapeJob[] = [];
    const expected = (error: unknown) => {
      // The races a writer may lose (a job another writer moved, no job left to claim, …) are fine.
      if (!(error instanceof DomainError)) throw error;
    };

    let folding = false;
    let folded = 0;
    let stepCount = 0;
    async function step(worker: number): Promise<void> {
      if (folding && ++stepCount % 20 === 0) folded += await manager.foldJobStats();
      const r = random();
      if (r < 0.3 || known.length < 5) {
        const tenant = pick(TENANTS);
        const input = { domain: `site${Math.floor(random() * 12)}.example.com`, job_type: pick(JOB_TYPES), priority: 1 + Math.floor(random() * 10), ...(tenant ? { customer_config_id: tenant } : {}) };
        known.push(await manager.createJob(createJobInputSchema.parse(input)));
        return;
      }
      if (r < 0.65) {
        const workerId = `w${worker}`;
        const claimed = await manager.claimNextJob({ workerId });
        if (!claimed) return;
        const asWorker = callerFor({ principal: OPEN_PRINCIPAL, workerId });
        const stats = { pagesProcessed: Math.floor(random() * 50), successfulRequests: Math.floor(random() * 40), failedRequests: Math.floor(random() * 5) };
        if (random() < 0.5) await manager.heartbeat({ id: claimed.id, claimToken: claimed.claim_token, stats }, asWorker);
        const end = random();
        if (end < 0.1) {
          await manager.releaseClaim({ id: claimed.id, claimToken: claimed.claim_token }, asWorker);
        } else if (end < 0.4) {
          const fields = { status: 'failed', error_message: pick(ERRORS), claim_token: claimed.claim_token, stats };
          await manager.updateJob(claimed.id, updateJobFieldsSchema.parse(fields), asWorker);
        } else {
          await manager.updateJob(claimed.id, updateJobFieldsSchema.parse({ status: 'completed', claim_token: claimed.claim_token, stats }), asWorker);
        }
        return;
      }
      const job = pick(known);
      if (r < 0.75) await manager.cancelJob(job.id, 'not needed');
      else if (r < 0.9) await manager.retryJob(job.id);
      else await manager.updateJob(job.id, updateJobFieldsSchema.parse({ stats: { pagesProcessed: Math.floor(random() * 9) }, metadata: { touched: true } }));
    }

    const workers = kind === 'postgres' ? 8 : 1;
    const steps = kind === 'postgres' ? 60 : 150;
    const write = (count: number) =>
      Promise.all(
        Array.from({ length: workers }, async (_, worker) => {
          for (let i = 0; i < count; i++) await step(worker).catch(expected);
        }),
      );
    // Folds race the writers (and on PostgreSQL each other); then more writes stay pending,
    // so the report reads both the folded rollups and the changes not folded yet.
    folding = true;
    await write(steps);
    folding = false;
    await write(10);
    // With concurrent writers the random mix varies from run to run; these make sure every
    // figure has jobs: a completion, a failure that is then retried, a cancel, a waiting job.
    const fixed = async (n: number, tenant: string) => manager.createJob(createJobInputSchema.parse({ domain: `fixed${n}.example.com`, customer_config_id: tenant, priority: 10 }));
    const asWorker = callerFor({ principal: OPEN_PRINCIPAL, workerId: 'fixed' });
    for (const [n, end] of [[1, 'completed'], [2, 'failed']] as const) {
      await fixed(n, TENANT_A);
      const claimed = (await manager.claimNextJob({ workerId: 'fixed' }))!;
      const fields = end === 'failed' ? { status: end, error_message: ERRORS[0], claim_token: claimed.claim_token } : { status: end, claim_token: claimed.claim_token };
      await manager.updateJob(claimed.id, updateJobFieldsSchema.parse(fields), asWorker);
      // The claim may take another waiting job of priority 10; one out of retries is already a retried job.
      if (end === 'failed' && claimed.retry_count < claimed.max_retries) await manager.retryJob(claimed.id);
    }
    await manager.cancelJob((await fixed(3, TENANT_B)).id, 'not needed');
    await fixed(4, TENANT_B);
    const prisma = database.db.prisma;
    const [{ pending } = { pending: 0 }] = await prisma.$queryRaw<Array<{ pending: number }>>`SELECT count(*)::int AS pending FROM job_stats_changes`;
    expect(folded).toBeGreaterThan(0);
    expect(pending).toBeGreaterThan(0);

    // The model exercised every kind of figure.
    const [mix] = await prisma.$queryRaw<Array<Record<string, number>>>`
      SELECT count(*)::int AS jobs, count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE status = 'failed')::int AS failed,
             count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled, count(*) FILTER (WHERE status = 'pending')::int AS pending,
             count(*) FILTER (WHERE retry_count > 0)::int AS retried, count(DISTINCT customer_config_id)::int AS tenants
      FROM scrape_jobs`;
    expect(mix).toMatchObject({ tenants: 2 });
    for (const key of ['completed', 'failed', 'cancelled', 'pending', 'retried']) expect(mix![key], key).toBeGreaterThan(0);

    const scopes: StatsScope[] = [{}, { tenant_id: TENANT_A }, { customer_config_id: TENANT_B }, { tenant_id: TENANT_A, customer_config_id: TENANT_A }];
    const compareReports = async (state: string) => {
      // Now, and moments inside the history: every window then starts in an hour that has jobs.
      for (const at of [nowMs, nowMs - 3 * DAY_MS - 1234, nowMs - 12 * DAY_MS + 777]) {
        const now = new Date(at);
        for (const scope of scopes) {
          const fromRollup = await computeJobStats(prisma, scope, now, 'rollup');
          const fromTable = await computeJobStats(prisma, scope, now, 'table');
          expect(fromRollup, `${state} ${JSON.stringify(scope)}`).toEqual(fromTable);
        }
      }
    };
    await compareReports('with changes pending');
    // A fold moves at most the batch it is given; the rest stays pending.
    expect(await prisma.$queryRaw`SELECT job_stats_fold(3) AS moved`).toEqual([{ moved: 3 }]);
    await compareReports('partly folded');
    expect(await manager.foldJobStats()).toBe(pending - 3);
    expect(await manager.foldJobStats()).toBe(0);
    await compareReports('all folded');
    const all = await computeJobStats(prisma, {}, new Date(nowMs));
    expect(all.overview.totalJobs).toBe(mix!.jobs);
    expect(all.timeMetrics.medianJobDuration).toBeGreaterThan(0);
    expect(all.errorAnalysis.commonErrors.length).toBeGreaterThan(1);

    // The list's pagination.total comes from the same rollup when no domain is asked for.
    const lists = [
      {},
      { status: 'completed' },
      { status: 'pending,running' },
      { job_type: 'single_page' },
      { customer_config_id: TENANT_A, status: 'failed' },
      { customer_config_id: TENANT_B, job_type: 'domain_scrape' },
    ];
    for (const query of lists) {
      const filter = listJobsInputSchema.parse(query);
      const tableCount = await prisma.$queryRawUnsafe<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM scrape_jobs WHERE ($1::job_status[] IS NULL OR status = ANY($1)) AND ($2::job_type IS NULL OR job_type = $2)
           AND ($3::uuid IS NULL OR customer_config_id = $3)`,
        filter.status ?? null,
        filter.job_type ?? null,
        filter.customer_config_id ?? null,
      );
      expect((await manager.getJobs(filter)).pagination.total, JSON.stringify(query)).toBe(tableCount[0]!.n);
    }
    const tenantA = callerFor({ principal: { ...OPEN_PRINCIPAL, tenantId: TENANT_A } });
    const ofA = await prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM scrape_jobs WHERE customer_config_id = ${TENANT_A}::uuid`;
    expect((await manager.getJobs(listJobsInputSchema.parse({}), tenantA)).pagination.total).toBe(ofA[0]!.n);
    expect((await manager.getJobs(listJobsInputSchema.parse({ customer_config_id: TENANT_B }), tenantA)).pagination.total).toBe(0);

    const kept = await rollupRows(database);
    await prisma.$executeRawUnsafe('SELECT job_stats_rebuild()');
    expect(await rollupRows(database)).toEqual(kept);
  }, 120_000);
});
