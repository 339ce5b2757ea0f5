/**
 * The queue under real concurrency: many claimers on one PostgreSQL pool racing for the same
 * rows, parallel merges into one job, and fencing of a worker whose claim was lost.
 * Every test gets a fresh database so that no job of another test is claimable.
 */
import { createJobInputSchema, DomainError, updateJobFieldsSchema, type ClaimedJob, type ScrapeJob } from '@scrape-jobs/domain';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { createScrapeJobManager, DEFAULT_CLAIM_TIMEOUT_MS, type ScrapeJobManager } from '../src/index.ts';

const POOL_SIZE = 24;
const opened: TestDatabase[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.destroy()));
});

async function setup(kind: DatabaseKind, options: { clock?: () => Date } = {}): Promise<{ database: TestDatabase; manager: ScrapeJobManager }> {
  const database = await createTestDatabase(kind, { poolSize: POOL_SIZE });
  opened.push(database);
  if (kind === 'postgres') {
    // Open every pool connection first, so the claimers below really run side by side
    // instead of queueing behind connection set-up.
    await Promise.all(Array.from({ length: POOL_SIZE }, () => database.db.prisma.$queryRaw`SELECT pg_sleep(0.02)::text AS slept`));
  }
  return { database, manager: createScrapeJobManager({ db: database.db, ...options }) };
}

const run = randomBytes(3).toString('hex');
let domainCounter = 0;
const nextDomain = () => `q${run}-${++domainCounter}.example.com`;

async function createJobs(manager: ScrapeJobManager, count: number, input: Record<string, unknown> = {}): Promise<ScrapeJob[]> {
  const jobs: ScrapeJob[] = [];
  // One at a time: created_at order is then the claim order within a priority.
  for (let i = 0; i < count; i++) jobs.push(await manager.createJob(createJobInputSchema.parse({ domain: nextDomain(), ...input })));
  return jobs;
}

const claimers = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** All the claimers at once; returns what each one got, in claimer order. */
function claimAll(manager: ScrapeJobManager, workerIds: string[]): Promise<Array<ClaimedJob | null>> {
  return Promise.all(workerIds.map((workerId) => manager.claimNextJob({ workerId })));
}

/** Each claimer keeps claiming until the queue answers null. */
async function drain(manager: ScrapeJobManager, workerIds: string[]): Promise<Array<{ workerId: string; job: ClaimedJob }>> {
  const claims: Array<{ workerId: string; job: ClaimedJob }> = [];
  await Promise.all(
    workerIds.map(async (workerId) => {
      for (;;) {
        const job = await manager.claimNextJob({ workerId });
        if (!job) return;
        claims.push({ workerId, job });
      }
    }),
  );
  return claims;
}

async function expectHeldBy(manager: ScrapeJobManager, claim: ClaimedJob, workerId: string): Promise<void> {
  expect(claim.status).toBe('running');
  expect(claim.worker_id).toBe(workerId);
  expect(claim.metadata).toMatchObject({ claimedBy: workerId });
  const stored = await manager.getJob(claim.id);
  expect(stored).toMatchObject({ status: 'running', worker_id: workerId, claimed_at: claim.claimed_at });
  const history = await manager.getJobHistory(claim.id);
  const claimRows = history.filter((h) => h.from_status === 'pending' && h.to_status === 'running');
  expect(claimRows).toHaveLength(1);
  expect(claimRows[0]!.actor).toBe(`worker:${workerId}`);
}

/** Rounds of N claimers racing for fewer than N jobs. */
async function claimExactlyOnceRounds(manager: ScrapeJobManager, claimerCount: number, jobCounts: number[]): Promise<void> {
  for (const [round, jobCount] of jobCounts.entries()) {
    expect(jobCount).toBeLessThan(claimerCount);
    const jobs = await createJobs(manager, jobCount);
    const workerIds = claimers(claimerCount, `r${round}`);
    const results = await claimAll(manager, workerIds);

    const won = results.flatMap((job, i) => (job ? [{ job, workerId: workerIds[i]! }] : []));
    expect(won).toHaveLength(jobCount);
    expect(results.filter((job) => job === null)).toHaveLength(claimerCount - jobCount);
    const ids = won.map((c) => c.job.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(jobs.map((j) => j.id)));
    expect(new Set(won.map((c) => c.job.claim_token)).size).toBe(jobCount);
    for (const { job, workerId } of won) await expectHeldBy(manager, job, workerId);
    expect(await manager.claimNextJob({ workerId: 'late' })).toBeNull();
  }
}

async function drainLargeRound(manager: ScrapeJobManager, jobCount: number, claimerCount: number): Promise<void> {
  const jobs = await createJobs(manager, jobCount);
  const claims = await drain(manager, claimers(claimerCount, 'drain'));
  const ids = claims.map((c) => c.job.id);
  expect(ids).toHaveLength(jobCount);
  expect(new Set(ids).size).toBe(jobCount);
  expect(new Set(ids)).toEqual(new Set(jobs.map((j) => j.id)));
  for (const { job, workerId } of claims) await expectHeldBy(manager, job, workerId);
  expect(await manager.peekNextJob()).toBeNull();
  const { jobs: running } = await manager.getJobs({ status: ['running'], limit: 500, offset: 0, order_by: 'created_at', order_direction: 'asc' });
  expect(running).toHaveLength(jobCount);
}

async function expectClaimLost(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('CLAIM_LOST');
  return error as DomainError;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

describe.skipIf(skipPostgres())('PostgreSQL: concurrent claimers', { timeout: 60_000 }, () => {
  test('16+ claimers racing for fewer jobs: each job is claimed exactly once, the rest get null', async () => {
    const { manager } = await setup('postgres');
    await claimExactlyOnceRounds(manager, 20, [1, 5, 12, 19, 8]);
  });

  test('claimers racing over mixed priorities still take every job once, in claim order overall', async () => {
    const { manager } = await setup('postgres');
    const low = await createJobs(manager, 4, { priority: 2 });
    const high = await createJobs(manager, 4, { priority: 9 });
    const results = await claimAll(manager, claimers(16, 'prio'));
    const won = results.filter((job): job is ClaimedJob => job !== null);
    expect(won).toHaveLength(8);
    expect(new Set(won.map((j) => j.id))).toEqual(new Set([...low, ...high].map((j) => j.id)));
  });

  test('40 jobs, 20 claimers looping until the queue is empty: the claims are the job set, no duplicates', async () => {
    const { manager } = await setup('postgres');
    await drainLargeRound(manager, 40, 20);
  });
});

describe.skipIf(skipPostgres())('PostgreSQL: concurrent merges', { timeout: 60_000 }, () => {
  test('20 parallel API updates each adding a metadata and a stats key (nested too) lose no key', async () => {
    const { manager } = await setup('postgres');
    const [job] = await createJobs(manager, 1, { metadata: { origin: 'test' } });
    await manager.updateJob(job!.id, updateJobFieldsSchema.parse({ stats: { totalPages: 500, dataExtracted: { products: 1 } } }));

    const n = 20;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        manager.updateJob(
          job!.id,
          updateJobFieldsSchema.parse({
            metadata: { [`meta${i}`]: i, nested: { [`n${i}`]: true } },
            stats: { [`stat${i}`]: i, dataExtracted: { [`kind${i}`]: i } },
          }),
        ),
      ),
    );

    const stored = (await manager.getJob(job!.id))!;
    expect(stored.status).toBe('pending');
    const metadata = stored.metadata as Record<string, unknown>;
    const stats = stored.stats as Record<string, unknown>;
    expect(metadata.origin).toBe('test');
    expect(stats.totalPages).toBe(500);
    expect((stats.dataExtracted as Record<string, unknown>).products).toBe(1);
    for (let i = 0; i < n; i++) {
      expect(metadata[`meta${i}`]).toBe(i);
      expect((metadata.nested as Record<string, unknown>)[`n${i}`]).toBe(true);
      expect(stats[`stat${i}`]).toBe(i);
      expect((stats.dataExtracted as Record<string, unknown>)[`kind${i}`]).toBe(i);
    }
    expect(Object.keys(metadata.nested as object)).toHaveLength(n);
    expect(Object.keys(stats.dataExtracted as object)).toHaveLength(n + 1);
  });

  test('a worker’s parallel fenced updates and heartbeats on its running job lose no key', async () => {
    const { manager } = await setup('postgres');
    await createJobs(manager, 1);
    const claim = (await manager.claimNextJob({ workerId: 'merger' }))!;

    const n = 20;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        i % 2 === 0
          ? manager.updateJob(
              claim.id,
              updateJobFieldsSchema.parse({
                claim_token: claim.claim_token,
                metadata: { [`meta${i}`]: i },
                stats: { [`stat${i}`]: i, dataExtracted: { [`kind${i}`]: i } },
              }),
            )
          : manager.heartbeat({ id: claim.id, claimToken: claim.claim_token, stats: { [`stat${i}`]: i, dataExtracted: { [`kind${i}`]: i } } }),
      ),
    );

    const stored = (await manager.getJob(claim.id))!;
    expect(stored).toMatchObject({ status: 'running', worker_id: 'merger' });
    const metadata = stored.metadata as Record<string, unknown>;
    const stats = stored.stats as Record<string, unknown>;
    expect(metadata.claimedBy).toBe('merger');
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) expect(metadata[`meta${i}`]).toBe(i);
      expect(stats[`stat${i}`]).toBe(i);
      expect((stats.dataExtracted as Record<string, unknown>)[`kind${i}`]).toBe(i);
    }
  });
});

describe.skipIf(skipPostgres())('PostgreSQL: fencing a lost claim', { timeout: 60_000 }, () => {
  test('an expired, re-claimed job cannot be completed or heartbeaten by its first worker; the second can complete it', async () => {
    let now = Date.parse('2031-03-01T08:00:00.000Z');
    const { manager } = await setup('postgres', { clock: () => new Date(now) });
    expect(manager.claimTimeoutMs).toBe(DEFAULT_CLAIM_TIMEOUT_MS);
    const [job] = await createJobs(manager, 1);

    const a = (await manager.claimNextJob({ workerId: 'worker-a' }))!;
    expect(a.id).toBe(job!.id);
    now += 60_000;
    await manager.heartbeat({ id: a.id, claimToken: a.claim_token, stats: { pagesProcessed: 3 } });

    // Not yet expired: counted from the heartbeat, not from the claim or started_at.
    now = Date.parse(a.claimed_at!) + DEFAULT_CLAIM_TIMEOUT_MS + 1_000;
    expect(await manager.releaseExpiredClaims()).toEqual([]);

    now = Date.parse(a.claimed_at!) + 60_000 + DEFAULT_CLAIM_TIMEOUT_MS + 1_000;
    // Expired but not yet swept: already refused.
    const expired = await expectClaimLost(manager.updateJob(a.id, updateJobFieldsSchema.parse({ status: 'completed', claim_token: a.claim_token })));
    expect(expired.details).toMatchObject({ currentStatus: 'running', reason: 'The claim expired' });

    const released = await manager.releaseExpiredClaims();
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ workerId: 'worker-a', job: { id: a.id, status: 'pending', worker_id: null } });
    const release = (await manager.getJobHistory(a.id)).filter((h) => h.from_status === 'running' && h.to_status === 'pending');
    expect(release).toHaveLength(1);
    expect(release[0]!.actor).toBe('system');
    expect(release[0]!.reason).toContain('worker-a');

    now += 1_000;
    const b = (await manager.claimNextJob({ workerId: 'worker-b' }))!;
    expect(b.id).toBe(a.id);
    expect(b.claim_token).not.toBe(a.claim_token);

    const lostUpdate = await expectClaimLost(manager.updateJob(a.id, updateJobFieldsSchema.parse({ status: 'completed', claim_token: a.claim_token })));
    expect(lostUpdate.details).toMatchObject({ currentStatus: 'running', reason: 'The job was claimed again by another worker' });
    await expectClaimLost(manager.heartbeat({ id: a.id, claimToken: a.claim_token, stats: { pagesProcessed: 99 } }));
    await expectClaimLost(manager.updateJob(a.id, updateJobFieldsSchema.parse({ stats: { pagesProcessed: 99 }, claim_token: a.claim_token })));

    const untouched = (await manager.getJob(a.id))!;
    expect(untouched).toMatchObject({ status: 'running', worker_id: 'worker-b', completed_at: null });
    expect(untouched.stats.pagesProcessed).toBe(3);

    now += 1_000;
    await manager.heartbeat({ id: b.id, claimToken: b.claim_token });
    const done = await manager.updateJob(b.id, updateJobFieldsSchema.parse({ status: 'completed', claim_token: b.claim_token, stats: { pagesProcessed: 10 } }));
    expect(done.status).toBe('completed');
    expect(done.completed_at).toBe(new Date(now).toISOString());
    expect(done.stats.pagesProcessed).toBe(10);

    const terminal = (await manager.getJobHistory(a.id)).filter((h) => TERMINAL.has(h.to_status));
    expect(terminal).toHaveLength(1);
    expect(terminal[0]).toMatchObject({ from_status: 'running', to_status: 'completed', actor: 'worker:worker-b' });
    // A's token is no good after completion either.
    await expectClaimLost(manager.heartbeat({ id: a.id, claimToken: a.claim_token }));
  });

  test('the worker of a cancelled job cannot complete it', async () => {
    const { manager } = await setup('postgres');
    await createJobs(manager, 1);
    const claim = (await manager.claimNextJob({ workerId: 'worker-c' }))!;
    const cancelled = await manager.cancelJob(claim.id, 'operator stop');
    expect(cancelled.status).toBe('cancelled');

    const error = await expectClaimLost(manager.updateJob(claim.id, updateJobFieldsSchema.parse({ status: 'completed', claim_token: claim.claim_token })));
    expect(error.details).toMatchObject({ currentStatus: 'cancelled' });
    await expectClaimLost(manager.heartbeat({ id: claim.id, claimToken: claim.claim_token }));
    await expectClaimLost(manager.updateJob(claim.id, updateJobFieldsSchema.parse({ status: 'failed', error_message: 'x', claim_token: claim.claim_token })));

    const stored = (await manager.getJob(claim.id))!;
    expect(stored).toMatchObject({ status: 'cancelled', error_message: 'Cancelled via API: operator stop' });
    const terminal = (await manager.getJobHistory(claim.id)).filter((h) => TERMINAL.has(h.to_status));
    expect(terminal.map((h) => h.to_status)).toEqual(['cancelled']);
  });

  test('a cancel racing a completion yields exactly one terminal transition', async () => {
    const { manager } = await setup('postgres');
    const outcomes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await createJobs(manager, 1);
      const claim = (await manager.claimNextJob({ workerId: `racer-${i}` }))!;
      const complete = () =>
        manager.updateJob(claim.id, updateJobFieldsSchema.parse({ status: 'completed', claim_token: claim.claim_token, stats: { pagesProcessed: i } }));
      const cancel = () => manager.cancelJob(claim.id, `race ${i}`);
      // Alternate which one is sent first.
      let completing: Promise<ScrapeJob>;
      let cancelling: Promise<ScrapeJob>;
      if (i % 2 === 0) {
        completing = complete();
        cancelling = cancel();
      } else {
        cancelling = cancel();
        completing = complete();
      }
      const settled = await Promise.allSettled([completing, cancelling]);
      const [completion, cancellation] = settled;

      const fulfilled = settled.filter((s) => s.status === 'fulfilled');
      expect(fulfilled).toHaveLength(1);
      const stored = (await manager.getJob(claim.id))!;
      const terminal = (await manager.getJobHistory(claim.id)).filter((h) => TERMINAL.has(h.to_status));
      expect(terminal).toHaveLength(1);
      expect(terminal[0]!.to_status).toBe(stored.status);

      if (completion!.status === 'fulfilled') {
        expect(stored.status).toBe('completed');
        expect(cancellation!.status === 'rejected' && (cancellation.reason as DomainError).code).toBe('NOT_CANCELLABLE');
      } else {
        expect(stored.status).toBe('cancelled');
        expect((completion!.reason as DomainError).code).toBe('CLAIM_LOST');
      }
      outcomes.add(stored.status);
    }
    // Not asserted: which side wins is up to the scheduler.
    expect([...outcomes].every((s) => s === 'completed' || s === 'cancelled')).toBe(true);
  });
});

// PGlite runs the same claims one statement at a time on its single connection; slower.
describe('PGlite: concurrent claimers', { timeout: 120_000 }, () => {
  test('16+ claimers racing for fewer jobs: each job is claimed exactly once, the rest get null', async () => {
    const { manager } = await setup('pglite');
    await claimExactlyOnceRounds(manager, 16, [1, 7, 15]);
  });

  test('40 jobs, 20 claimers looping until the queue is empty: the claims are the job set, no duplicates', async () => {
    const { manager } = await setup('pglite');
    await drainLargeRound(manager, 40, 20);
  });
});
