/**
 * Batch claims and batch completions: many jobs in one statement, each exactly as its single
 * claim or fenced PUT `completed` would be, on PGlite and PostgreSQL; and, on PostgreSQL,
 * concurrent batch claimers that never share a job.
 */
import { insertWebhookEndpoint, SYSTEM_ACTOR } from '@scrape-jobs/db';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, type ClaimedJob, type JobChange, type ScrapeJob } from '@scrape-jobs/domain';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { callerFor, createScrapeJobManager, type ScrapeJobManager } from '../src/index.ts';

const opened: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.destroy()));
});

async function setup(kind: DatabaseKind, options: { clock?: () => Date; claimTimeoutMs?: number } = {}) {
  const database = await createTestDatabase(kind, { poolSize: 12 });
  opened.push(database);
  return { database, manager: createScrapeJobManager({ db: database.db, ...options }) };
}

const run = randomBytes(3).toString('hex');
let counter = 0;
const domain = () => `b${run}-${++counter}.example.com`;

async function createJobs(manager: ScrapeJobManager, count: number, input: Record<string, unknown> = {}): Promise<ScrapeJob[]> {
  const jobs: ScrapeJob[] = [];
  for (let i = 0; i < count; i++) jobs.push(await manager.createJob(createJobInputSchema.parse({ domain: domain(), ...input })));
  return jobs;
}

const TENANT_A = '0a0a0a0a-0000-4000-8000-00000000000a';
const TENANT_B = '0b0b0b0b-0000-4000-8000-00000000000b';
const tenantCaller = (tenantId: string) => callerFor({ principal: { keyId: null, name: 'tenant worker', role: 'worker', tenantId } });

describe.each(['pglite', 'postgres'] as const)('batches on %s', (kind) => {
  test.skipIf(skipPostgres(kind))('a batch claim takes up to `limit` jobs in claim order, each running under its own token and recorded', async () => {
    const { database, manager } = await setup(kind);
    const low = await createJobs(manager, 2, { priority: 2 });
    const high = await createJobs(manager, 2, { priority: 9 });
    const [middle] = await createJobs(manager, 1, { priority: 5 });

    const first = await manager.claimJobs({ workerId: 'batcher', limit: 4 });
    expect(first.map((job) => job.id)).toEqual([high[0]!.id, high[1]!.id, middle!.id, low[0]!.id]);
    expect(new Set(first.map((job) => job.claim_token)).size).toBe(4);
    for (const job of first) {
      expect(job).toMatchObject({ status: 'running', worker_id: 'batcher', metadata: { claimedBy: 'batcher' } });
      expect(job.claim_token).toMatch(/^[0-9a-f-]{36}$/);
      const history = await manager.getJobHistory(job.id);
      expect(history.map((h) => [h.action, h.from_status, h.to_status, h.actor])).toEqual([
        ['created', null, 'pending', 'api'],
        ['claimed', 'pending', 'running', 'worker:batcher'],
      ]);
    }
    // Fewer left than asked for: what there is; then none.
    expect((await manager.claimJobs({ workerId: 'batcher', limit: 10 })).map((job) => job.id)).toEqual([low[1]!.id]);
    expect(await manager.claimJobs({ workerId: 'batcher', limit: 10 })).toEqual([]);
    const counted = await database.db.prisma.$queryRaw<Array<{ running: number }>>`SELECT count(*)::int AS running FROM scrape_jobs WHERE status = 'running'`;
    expect(counted).toEqual([{ running: 5 }]);
  });

  test.skipIf(skipPostgres(kind))('a batch claim keeps to the job types asked for and to the caller’s tenant', async () => {
    const { manager } = await setup(kind);
    const [ofA] = await createJobs(manager, 1, { customer_config_id: TENANT_A, job_type: 'single_page' });
    await createJobs(manager, 1, { customer_config_id: TENANT_A, job_type: 'domain_scrape' });
    await createJobs(manager, 2, { customer_config_id: TENANT_B, job_type: 'single_page' });
    const claimed = await manager.claimJobs({ workerId: 'a-worker', limit: 10, jobTypes: ['single_page'] }, tenantCaller(TENANT_A));
    expect(claimed.map((job) => job.id)).toEqual([ofA!.id]);
  });

  test.skipIf(skipPostgres(kind))('a batch completion completes every held claim as a fenced PUT would, and refuses each other job alone with its reason', async () => {
    let now = new Date('2026-06-01T10:00:00.000Z');
    const { database, manager } = await setup(kind, { clock: () => now, claimTimeoutMs: 60_000 });
    await createJobs(manager, 6);
    const [done1, done2, reclaimed, cancelled, expired] = await manager.claimJobs({ workerId: 'w1', limit: 5 });
    const [kept] = await manager.claimJobs({ workerId: 'w1', limit: 1 });

    // The claim of `expired` lapses and another worker takes it; `cancelled` is cancelled by an operator.
    now = new Date(now.getTime() + 30_000);
    await manager.heartbeat({ id: done1!.id, claimToken: done1!.claim_token });
    await manager.heartbeat({ id: done2!.id, claimToken: done2!.claim_token });
    await manager.heartbeat({ id: reclaimed!.id, claimToken: reclaimed!.claim_token });
    await manager.heartbeat({ id: kept!.id, claimToken: kept!.claim_token });
    now = new Date(now.getTime() + 40_000); // 70 s after the claim: only `expired` (and `cancelled`) lapsed
    await manager.cancelJob(cancelled!.id, 'Not needed');
    const released = await manager.releaseExpiredClaims();
    expect(released.map((r) => r.job.id)).toEqual([expired!.id]);
    const again = (await manager.claimNextJob({ workerId: 'w2' }))!;
    expect(again.id).toBe(expired!.id);
    // `reclaimed`: its worker hands it back and takes it again, so the old token is stale.
    await manager.releaseClaim({ id: reclaimed!.id, claimToken: reclaimed!.claim_token });
    const retaken = (await manager.claimNextJob({ workerId: 'w1' }))!;
    expect(retaken.id).toBe(reclaimed!.id);

    const unknown = randomUUID();
    const untouched = await Promise.all([reclaimed, cancelled, expired, kept].map((job) => manager.getJob(job!.id)));
    const result = await manager.completeJobs([
      { id: done1!.id, claimToken: done1!.claim_token, stats: { pagesProcessed: 12 } },
      { id: reclaimed!.id, claimToken: reclaimed!.claim_token },
      { id: done2!.id, claimToken: done2!.claim_token },
      { id: cancelled!.id, claimToken: cancelled!.claim_token },
      { id: expired!.id, claimToken: expired!.claim_token },
      { id: unknown, claimToken: randomUUID() },
    ]);

    expect(result.completed.map((job) => job.id).sort()).toEqual([done1!.id, done2!.id].sort());
    for (const job of result.completed) {
      expect(job).toMatchObject({ status: 'completed', completed_at: now.toISOString(), worker_id: 'w1' });
      const row = (await database.db.prisma.$queryRaw<Array<{ claim_token: string | null; claim_expires_at: Date | null }>>`
        SELECT claim_token, claim_expires_at FROM scrape_jobs WHERE id = ${job.id}::uuid`)[0]!;
      expect(row).toEqual({ claim_token: null, claim_expires_at: null });
      const last = (await manager.getJobHistory(job.id)).at(-1)!;
      expect(last).toMatchObject({ action: 'updated', from_status: 'running', to_status: 'completed', actor: 'worker:w1', reason: 'Status updated' });
      expect(last.changes).toMatchObject({ status: { old: 'running', new: 'completed' }, completed_at: { old: null, new: now.toISOString() } });
    }
    expect(result.completed.find((job) => job.id === done1!.id)!.stats).toMatchObject({ pagesProcessed: 12 });

    const refusal = (id: string) => result.refused.find((r) => r.id === id)?.error;
    expect(refusal(reclaimed!.id)).toEqual({ code: 'CLAIM_LOST', message: 'Claim is no longer held by this worker', details: { currentStatus: 'running', reason: 'The job was claimed again by another worker' } });
    expect(refusal(cancelled!.id)).toEqual({ code: 'CLAIM_LOST', message: 'Claim is no longer held by this worker', details: { currentStatus: 'cancelled', reason: 'The job is cancelled' } });
    expect(refusal(expired!.id)).toEqual({ code: 'CLAIM_LOST', message: 'Claim is no longer held by this worker', details: { currentStatus: 'running', reason: 'The job was claimed again by another worker' } });
    expect(refusal(unknown)).toEqual({ code: 'NOT_FOUND', message: 'Job not found', details: undefined });
    expect(result.refused).toHaveLength(4);
    // A refused job is exactly as it was: a cancelled job never turns completed.
    const after = await Promise.all([reclaimed, cancelled, expired, kept].map((job) => manager.getJob(job!.id)));
    expect(after).toEqual(untouched);
  });

  test.skipIf(skipPostgres(kind))('a batch claim and completion announce every job on the change feed and queue its status events for every matching endpoint', async () => {
    const { database, manager } = await setup(kind);
    const prisma = database.db.prisma;
    const endpoint = { description: '', events: ['job_status_changed'], active: true, secret: 'whsec_test', progress_interval_ms: 1000 };
    const forAll = await insertWebhookEndpoint(prisma, { ...endpoint, url: 'https://all.example.com/hook', tenant_id: null }, SYSTEM_ACTOR);
    const forA = await insertWebhookEndpoint(prisma, { ...endpoint, url: 'https://a.example.com/hook', tenant_id: TENANT_A }, SYSTEM_ACTOR);
    await insertWebhookEndpoint(prisma, { ...endpoint, url: 'https://off.example.com/hook', tenant_id: null, active: false }, SYSTEM_ACTOR);
    const feed: JobChange[] = [];
    const stop = database.db.onJobChange((change) => feed.push(change));
    // 40 jobs: more than one notification's worth of changes per statement.
    const created = [...(await createJobs(manager, 20, { customer_config_id: TENANT_A })), ...(await createJobs(manager, 20))];
    const claimed = await manager.claimJobs({ workerId: 'announcer', limit: 40 });
    const { completed } = await manager.completeJobs(claimed.map((job) => ({ id: job.id, claimToken: job.claim_token, stats: { pagesProcessed: 3 } })));
    expect(completed).toHaveLength(40);

    const ids = new Set(created.map((job) => job.id));
    await vi.waitFor(() => expect(feed.filter((change) => ids.has(change.job_id))).toHaveLength(120), { timeout: 5000 });
    stop();
    const steps = [
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'completed'],
    ];
    const rows = await prisma.$queryRaw<Array<{ job_id: string; endpoint_id: string; payload: Record<string, unknown> }>>`
      SELECT e.job_id::text, d.endpoint_id::text, e.payload FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id ORDER BY d.id`;
    for (const job of completed) {
      const made = created.find((c) => c.id === job.id)!;
      const changes = feed.filter((change) => change.job_id === job.id);
      expect(changes.map((change) => [change.old_status, change.new_status])).toEqual(steps);
      expect(changes.map((change) => change.updated_at)).toEqual([made.updated_at, claimed.find((c) => c.id === job.id)!.updated_at, job.updated_at]);
      expect(changes.every((change) => change.domain === job.domain && change.customer_config_id === job.customer_config_id)).toBe(true);

      const expected = job.customer_config_id === TENANT_A ? [forAll.id, forA.id] : [forAll.id];
      const mine = rows.filter((row) => row.job_id === job.id);
      for (const [i, [from, to]] of steps.entries()) {
        const deliveries = mine.filter((row) => row.payload.old_status === from && row.payload.new_status === to);
        expect(deliveries.map((row) => row.endpoint_id).sort()).toEqual([...expected].sort());
        if (i === 2) {
          expect(deliveries[0]!.payload).toEqual({
            event: 'job_status_changed',
            job_id: job.id,
            domain: job.domain,
            old_status: 'running',
            new_status: 'completed',
            stats: { pagesProcessed: 3 },
            timestamp: job.updated_at,
          });
        }
      }
      expect(mine).toHaveLength(3 * expected.length);
    }
  });

  test.skipIf(skipPostgres(kind))('an expired claim is refused as expired, and a tenant’s worker cannot complete another tenant’s job', async () => {
    let now = new Date('2026-06-01T10:00:00.000Z');
    const { manager } = await setup(kind, { clock: () => now, claimTimeoutMs: 60_000 });
    await createJobs(manager, 1, { customer_config_id: TENANT_B });
    await createJobs(manager, 1, { customer_config_id: TENANT_A });
    const [ofB] = await manager.claimJobs({ workerId: 'b', limit: 1 }, tenantCaller(TENANT_B));
    const [ofA] = await manager.claimJobs({ workerId: 'a', limit: 1 }, tenantCaller(TENANT_A));

    const crossTenant = await manager.completeJobs([{ id: ofB!.id, claimToken: ofB!.claim_token }], tenantCaller(TENANT_A));
    expect(crossTenant).toEqual({ completed: [], refused: [{ id: ofB!.id, error: { code: 'NOT_FOUND', message: 'Job not found', details: undefined } }] });
    expect((await manager.getJob(ofB!.id))!.status).toBe('running');

    now = new Date(now.getTime() + 61_000);
    const late = await manager.completeJobs([{ id: ofA!.id, claimToken: ofA!.claim_token }], tenantCaller(TENANT_A));
    expect(late.refused[0]!.error.details).toEqual({ currentStatus: 'running', reason: 'The claim expired' });
    expect((await manager.getJob(ofA!.id))!.status).toBe('running');
  });
});

describe.skipIf(skipPostgres())('PostgreSQL: concurrent batch claimers', { timeout: 60_000 }, () => {
  test('8 batch claimers drain 300 jobs: every job claimed exactly once, then completed exactly once', async () => {
    const { database, manager } = await setup('postgres');
    const jobs = await createJobs(manager, 300);
    const claims: Array<{ worker: string; job: ClaimedJob }> = [];
    let completed = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, k) => {
        const worker = `batch-${k}`;
        for (;;) {
          const batch = await manager.claimJobs({ workerId: worker, limit: 7 });
          if (batch.length === 0) return;
          claims.push(...batch.map((job) => ({ worker, job })));
          const result = await manager.completeJobs(batch.map((job) => ({ id: job.id, claimToken: job.claim_token })));
          expect(result.refused).toEqual([]);
          completed += result.completed.length;
        }
      }),
    );
    expect(claims.map((c) => c.job.id).sort()).toEqual(jobs.map((job) => job.id).sort());
    expect(completed).toBe(300);
    const [counts] = await database.db.prisma.$queryRaw<Array<{ completed: number; claimed: number; updated: number }>>`
      SELECT (SELECT count(*)::int FROM scrape_jobs WHERE status = 'completed') AS completed,
             (SELECT count(*)::int FROM job_history WHERE action = 'claimed') AS claimed,
             (SELECT count(*)::int FROM job_history WHERE action = 'updated' AND to_status = 'completed') AS updated`;
    expect(counts).toEqual({ completed: 300, claimed: 300, updated: 300 });
    // Each job's completion names the worker that claimed it.
    const actors = await database.db.prisma.$queryRaw<Array<{ job_id: string; actor: string }>>`
      SELECT job_id::text, actor FROM job_history WHERE action = 'updated'`;
    const claimer = new Map(claims.map((c) => [c.job.id, `worker:${c.worker}`]));
    expect(actors.every((a) => claimer.get(a.job_id) === a.actor)).toBe(true);
  });
});
