/**
 * The job audit trail against the real service, on PGlite and on PostgreSQL: for every action
 * the history row equals the change made — the exact `changes` (old → new), the actor, the API
 * key, the request id and the time — a refused write records nothing, concurrent writers each
 * record their own old → new, and the trail cannot be altered.
 */
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import {
  createJobInputSchema,
  updateJobFieldsSchema,
  type JobHistoryEntry,
  type Principal,
  type ScrapeJob,
} from '@scrape-jobs/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { callerFor, createScrapeJobManager, DEFAULT_CLAIM_TIMEOUT_MS, type Caller, type ScrapeJobManager } from '../src/index.ts';

const START = Date.parse('2026-04-01T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const OPERATOR_KEY = '11111111-1111-4111-8111-111111111111';
const WORKER_KEY = '22222222-2222-4222-8222-222222222222';
const operatorKey: Principal = { keyId: OPERATOR_KEY, name: 'ops', role: 'operator', tenantId: null };
const workerKey: Principal = { keyId: WORKER_KEY, name: 'crawler', role: 'worker', tenantId: null };
const operator = (requestId: string): Caller => callerFor({ principal: operatorKey, requestId });
const worker = (requestId: string, workerId = 'w1'): Caller => callerFor({ principal: workerKey, requestId, workerId });

describe.each(['pglite', 'postgres'] as const satisfies readonly DatabaseKind[])('the job audit trail on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let database: TestDatabase;
  let manager: ScrapeJobManager;
  let nowMs: number;
  let domains = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind, { poolSize: 12 });
  });
  afterAll(async () => database?.destroy());
  beforeEach(async () => {
    // TRUNCATE is not UPDATE/DELETE: the append-only trigger lets tests start empty.
    await database.db.prisma.$executeRawUnsafe('TRUNCATE page_results, job_history, scrape_jobs');
    nowMs = START;
    manager = createScrapeJobManager({ db: database.db, clock: () => new Date(nowMs), random: () => 0.5 });
  });

  const create = (by: Caller, input: Record<string, unknown> = {}) =>
    manager.createJob(createJobInputSchema.parse({ domain: `audit-${++domains}.example`, ...input }), by);
  const update = (id: string, fields: Record<string, unknown>, by: Caller) => manager.updateJob(id, updateJobFieldsSchema.parse(fields), by);
  const history = (id: string) => manager.getJobHistory(id);
  const lastRow = async (id: string): Promise<JobHistoryEntry> => (await history(id)).at(-1)!;
  const job = async (id: string): Promise<ScrapeJob> => (await manager.getJob(id))!;
  const allRows = async () => (await database.db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM job_history`)[0]!.n;

  /** A job claimed by worker `w1` at START + 1 s. */
  async function claimedJob() {
    const created = await create(operator('req-create'));
    nowMs += 1000;
    const claim = (await manager.claimNextJob({ workerId: 'w1' }, worker('req-claim')))!;
    expect(claim.id).toBe(created.id);
    return claim;
  }

  test('created: every initial value, by the key and in the request that made it', async () => {
    const created = await create(operator('req-create'), { priority: 8, metadata: { source: 'test' } });
    const stored = await job(created.id);
    expect(await history(created.id)).toEqual([
      {
        id: expect.any(Number),
        job_id: created.id,
        action: 'created',
        from_status: null,
        to_status: 'pending',
        actor: `key:${OPERATOR_KEY}`,
        key_id: OPERATOR_KEY,
        request_id: 'req-create',
        reason: 'Created',
        changes: {
          domain: { old: null, new: stored.domain },
          job_type: { old: null, new: 'domain_scrape' },
          status: { old: null, new: 'pending' },
          priority: { old: null, new: 8 },
          retry_count: { old: null, new: 0 },
          max_retries: { old: null, new: 3 },
          config: { old: null, new: stored.config },
          metadata: { old: null, new: { source: 'test' } },
          stats: { old: null, new: {} },
          available_at: { old: null, new: iso(START) },
          created_at: { old: null, new: iso(START) },
        },
        at: iso(START),
      },
    ]);
  });

  test('claimed: the claim’s columns, by the worker with its key; the claim token is never stored', async () => {
    const claim = await claimedJob();
    expect(await lastRow(claim.id)).toEqual({
      id: expect.any(Number),
      job_id: claim.id,
      action: 'claimed',
      from_status: 'pending',
      to_status: 'running',
      actor: 'worker:w1',
      key_id: WORKER_KEY,
      request_id: 'req-claim',
      reason: 'Claimed',
      changes: {
        status: { old: 'pending', new: 'running' },
        worker_id: { old: null, new: 'w1' },
        claimed_at: { old: null, new: iso(START + 1000) },
        started_at: { old: null, new: iso(START + 1000) },
        claim_expires_at: { old: null, new: iso(START + 1000 + DEFAULT_CLAIM_TIMEOUT_MS) },
        metadata: { old: {}, new: { claimedBy: 'w1' } },
      },
      at: iso(START + 1000),
    });
    const [leaked] = await database.db.prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM job_history WHERE changes::text LIKE ${`%${claim.claim_token}%`} OR changes ? 'claim_token'`;
    expect(leaked!.n).toBe(0);
  });

  test('updated: a PUT that moves the status records the status and every column it changed', async () => {
    const { id } = await create(operator('req-create'));
    nowMs += 5000;
    await update(id, { status: 'running', metadata: { note: 'by hand' }, stats: { pagesProcessed: 1 } }, operator('req-put'));
    expect(await lastRow(id)).toEqual({
      id: expect.any(Number),
      job_id: id,
      action: 'updated',
      from_status: 'pending',
      to_status: 'running',
      actor: `key:${OPERATOR_KEY}`,
      key_id: OPERATOR_KEY,
      request_id: 'req-put',
      reason: 'Status updated',
      changes: {
        status: { old: 'pending', new: 'running' },
        started_at: { old: null, new: iso(START + 5000) },
        claim_expires_at: { old: null, new: iso(START + 5000 + DEFAULT_CLAIM_TIMEOUT_MS) },
        metadata: { old: {}, new: { note: 'by hand' } },
        stats: { old: {}, new: { pagesProcessed: 1 } },
      },
      at: iso(START + 5000),
    });
  });

  test('updated: a worker PUT of stats only keeps the status and records the stats and the extended claim', async () => {
    const claim = await claimedJob();
    nowMs += 30_000;
    await update(claim.id, { stats: { pagesProcessed: 7 }, claim_token: claim.claim_token }, worker('req-progress'));
    expect(await lastRow(claim.id)).toMatchObject({
      action: 'updated',
      from_status: 'running',
      to_status: 'running',
      actor: 'worker:w1',
      key_id: WORKER_KEY,
      request_id: 'req-progress',
      reason: null,
      changes: {
        stats: { old: {}, new: { pagesProcessed: 7 } },
        claim_expires_at: { old: iso(START + 1000 + DEFAULT_CLAIM_TIMEOUT_MS), new: iso(START + 31_000 + DEFAULT_CLAIM_TIMEOUT_MS) },
      },
    });
    expect(Object.keys((await lastRow(claim.id)).changes).sort()).toEqual(['claim_expires_at', 'stats']);
  });

  test('updated then auto_retried: a retryable failure is two rows that add up to the write', async () => {
    const claim = await claimedJob();
    nowMs += 2000;
    const t = START + 3000;
    const retried = await update(claim.id, { status: 'failed', error_message: 'Timeout', retryable: true, claim_token: claim.claim_token }, worker('req-fail'));
    expect(retried).toMatchObject({ status: 'pending', retry_count: 1 });
    const [failedRow, retryRow] = (await history(claim.id)).slice(-2);
    expect(failedRow).toMatchObject({ action: 'updated', from_status: 'running', to_status: 'failed', actor: 'worker:w1', key_id: WORKER_KEY, request_id: 'req-fail', reason: 'Timeout', at: iso(t) });
    expect(failedRow!.changes).toEqual({
      status: { old: 'running', new: 'failed' },
      error_message: { old: null, new: 'Timeout' },
      completed_at: { old: null, new: iso(t) },
      claim_expires_at: { old: iso(START + 1000 + DEFAULT_CLAIM_TIMEOUT_MS), new: null },
    });
    const availableAt = (await job(claim.id)).available_at;
    // The system decided, within the worker's request: no key, the request's id.
    expect(retryRow).toMatchObject({
      action: 'auto_retried',
      from_status: 'failed',
      to_status: 'pending',
      actor: 'system',
      key_id: null,
      request_id: 'req-fail',
      reason: `Automatic retry 1/3, claimable at ${availableAt}`,
      at: iso(t),
    });
    expect(retryRow!.changes).toEqual({
      status: { old: 'failed', new: 'pending' },
      error_message: { old: 'Timeout', new: null },
      completed_at: { old: iso(t), new: null },
      started_at: { old: iso(START + 1000), new: null },
      claimed_at: { old: iso(START + 1000), new: null },
      worker_id: { old: 'w1', new: null },
      retry_count: { old: 0, new: 1 },
      available_at: { old: iso(START), new: availableAt },
      metadata: {
        old: { claimedBy: 'w1' },
        new: { claimedBy: 'w1', retryReason: 'Automatic retry after a retryable failure', lastError: 'Timeout', retriedAt: iso(t), retriedBy: 'system' },
      },
    });
  });

  test('retried: a manual retry of a failed job', async () => {
    const claim = await claimedJob();
    nowMs += 1000;
    await update(claim.id, { status: 'failed', error_message: 'HTTP 500', claim_token: claim.claim_token }, worker('req-fail'));
    nowMs += 1000;
    await manager.retryJob(claim.id, { reason: 'Try again' }, operator('req-retry'));
    const t = START + 3000;
    expect(await lastRow(claim.id)).toEqual({
      id: expect.any(Number),
      job_id: claim.id,
      action: 'retried',
      from_status: 'failed',
      to_status: 'pending',
      actor: `key:${OPERATOR_KEY}`,
      key_id: OPERATOR_KEY,
      request_id: 'req-retry',
      reason: 'Try again',
      changes: {
        status: { old: 'failed', new: 'pending' },
        retry_count: { old: 0, new: 1 },
        error_message: { old: 'HTTP 500', new: null },
        completed_at: { old: iso(START + 2000), new: null },
        started_at: { old: iso(START + 1000), new: null },
        claimed_at: { old: iso(START + 1000), new: null },
        worker_id: { old: 'w1', new: null },
        available_at: { old: iso(START), new: iso(t) },
        metadata: {
          old: { claimedBy: 'w1' },
          new: { claimedBy: 'w1', retryReason: 'Try again', lastError: 'HTTP 500', retriedAt: iso(t), retriedBy: `key:${OPERATOR_KEY}` },
        },
      },
      at: iso(t),
    });
  });

  test('cancelled: a running job, with the claim it ends', async () => {
    const claim = await claimedJob();
    nowMs += 4000;
    await manager.cancelJob(claim.id, 'not needed', operator('req-cancel'));
    expect(await lastRow(claim.id)).toEqual({
      id: expect.any(Number),
      job_id: claim.id,
      action: 'cancelled',
      from_status: 'running',
      to_status: 'cancelled',
      actor: `key:${OPERATOR_KEY}`,
      key_id: OPERATOR_KEY,
      request_id: 'req-cancel',
      reason: 'Cancelled via API: not needed',
      changes: {
        status: { old: 'running', new: 'cancelled' },
        error_message: { old: null, new: 'Cancelled via API: not needed' },
        completed_at: { old: null, new: iso(START + 5000) },
        claim_expires_at: { old: iso(START + 1000 + DEFAULT_CLAIM_TIMEOUT_MS), new: null },
      },
      at: iso(START + 5000),
    });
  });

  test('released: the claim holder hands the job back', async () => {
    const claim = await claimedJob();
    nowMs += 1000;
    await manager.releaseClaim({ id: claim.id, claimToken: claim.claim_token, reason: 'shutting down' }, worker('req-release'));
    expect(await lastRow(claim.id)).toEqual({
      id: expect.any(Number),
      job_id: claim.id,
      action: 'released',
      from_status: 'running',
      to_status: 'pending',
      actor: 'worker:w1',
      key_id: WORKER_KEY,
      request_id: 'req-release',
      reason: 'Released by the worker: shutting down',
      changes: {
        status: { old: 'running', new: 'pending' },
        worker_id: { old: 'w1', new: null },
        claimed_at: { old: iso(START + 1000), new: null },
        started_at: { old: iso(START + 1000), new: null },
        claim_expires_at: { old: iso(START + 1000 + DEFAULT_CLAIM_TIMEOUT_MS), new: null },
        available_at: { old: iso(START), new: iso(START + 2000) },
      },
      at: iso(START + 2000),
    });
  });

  test('claim_expired: the sweep’s row is the system’s, outside any request, and names the silent worker', async () => {
    const claim = await claimedJob();
    const expiry = START + 1000 + DEFAULT_CLAIM_TIMEOUT_MS;
    nowMs = expiry + 1;
    expect(await manager.releaseExpiredClaims()).toHaveLength(1);
    expect(await lastRow(claim.id)).toEqual({
      id: expect.any(Number),
      job_id: claim.id,
      action: 'claim_expired',
      from_status: 'running',
      to_status: 'pending',
      actor: 'system',
      key_id: null,
      request_id: null,
      reason: `Claim expired: worker w1 sent no update before ${iso(expiry)}`,
      changes: {
        status: { old: 'running', new: 'pending' },
        worker_id: { old: 'w1', new: null },
        claimed_at: { old: iso(START + 1000), new: null },
        started_at: { old: iso(START + 1000), new: null },
        claim_expires_at: { old: iso(expiry), new: null },
        available_at: { old: iso(START), new: iso(expiry + 1) },
      },
      at: iso(expiry + 1),
    });
  });

  test('heartbeats and page reports are progress, not audited; a write that changes nothing records nothing', async () => {
    const claim = await claimedJob();
    const rows = await history(claim.id);
    nowMs += 1000;
    await manager.heartbeat({ id: claim.id, claimToken: claim.claim_token, stats: { pagesProcessed: 2 } });
    await manager.reportPages({
      id: claim.id,
      claimToken: claim.claim_token,
      pages: [{ url: 'https://x.example/', status: 200, title: 'x', depth: 0, products: [], images: 0, links: 0, documents: 0, bytes: 1, response_time_ms: 1, error: null, fetched_at: iso(nowMs) }],
    });
    expect(await history(claim.id)).toEqual(rows);
    // The same status, a metadata key it already has, and the claim already extended to now + timeout by the heartbeat.
    await update(claim.id, { status: 'running', metadata: { claimedBy: 'w1' } }, operator('req-same'));
    expect(await history(claim.id)).toEqual(rows);
    nowMs += 1000;
    await update(claim.id, { status: 'running', metadata: { claimedBy: 'w1' } }, operator('req-later'));
    // Now only the claim's extension changed (every update to a running job extends it).
    expect(await lastRow(claim.id)).toMatchObject({ action: 'updated', request_id: 'req-later' });
    expect((await lastRow(claim.id)).changes).toEqual({
      claim_expires_at: { old: iso(START + 2000 + DEFAULT_CLAIM_TIMEOUT_MS), new: iso(START + 3000 + DEFAULT_CLAIM_TIMEOUT_MS) },
    });
  });

  test('a refused write records no audit row', async () => {
    const claim = await claimedJob();
    await update(claim.id, { status: 'completed', claim_token: claim.claim_token }, worker('req-done'));
    const active = await create(operator('req-create'));
    const before = await allRows();
    const refusals: Array<() => Promise<unknown>> = [
      () => update(claim.id, { status: 'running', metadata: { sneaky: true } }, operator('req-bad-move')),
      () => update(claim.id, { stats: { pagesProcessed: 1 }, claim_token: claim.claim_token }, worker('req-stale-claim')),
      () => manager.cancelJob(claim.id, undefined, operator('req-bad-cancel')),
      () => manager.retryJob(claim.id, {}, operator('req-bad-retry')),
      () => manager.releaseClaim({ id: claim.id, claimToken: claim.claim_token }, worker('req-bad-release')),
      () => create(operator('req-bad-duplicate'), { domain: active.domain }),
      () => update(active.id, { status: 'completed' }, operator('req-bad-skip')),
    ];
    for (const refused of refusals) await expect(refused()).rejects.toThrow();
    expect(await allRows()).toBe(before);
  });

  test('concurrent PUTs of different metadata keys each record their own old → new', async () => {
    const { id } = await create(operator('req-create'));
    const writers = 12;
    await Promise.all(Array.from({ length: writers }, (_, i) => update(id, { metadata: { [`k${i}`]: i } }, operator(`req-${i}`))));
    const updates = (await history(id)).filter((h) => h.action === 'updated');
    expect(updates.map((h) => h.request_id).sort()).toEqual(Array.from({ length: writers }, (_, i) => `req-${i}`).sort());
    // In the order they were written, each row starts where the previous one ended and adds exactly its own key.
    let metadata: Record<string, unknown> = {};
    for (const row of updates) {
      const i = Number(row.request_id!.slice('req-'.length));
      expect(Object.keys(row.changes)).toEqual(['metadata']);
      expect(row.changes.metadata).toEqual({ old: metadata, new: { ...metadata, [`k${i}`]: i } });
      metadata = { ...metadata, [`k${i}`]: i };
    }
    expect((await job(id)).metadata).toEqual(metadata);
  });

  test('the trail is append-only: UPDATE and DELETE are refused', async () => {
    const { id } = await create(operator('req-create'));
    const rows = await history(id);
    await expect(database.db.prisma.$executeRaw`UPDATE job_history SET changes = '{}'::jsonb WHERE job_id = ${id}::uuid`).rejects.toThrow(/append-only/);
    await expect(database.db.prisma.$executeRaw`UPDATE job_history SET actor = 'someone else', key_id = NULL`).rejects.toThrow(/append-only/);
    await expect(database.db.prisma.$executeRaw`DELETE FROM job_history WHERE job_id = ${id}::uuid`).rejects.toThrow(/append-only/);
    expect(await history(id)).toEqual(rows);
  });
});
