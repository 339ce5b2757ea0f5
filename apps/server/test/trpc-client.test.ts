/**
 * The typed tRPC API as a real client sees it: `@trpc/client` over HTTP (httpBatchLink for
 * queries and mutations, httpSubscriptionLink — server-sent events — for subscriptions)
 * against a real Fastify server, on PGlite and on PostgreSQL. Errors are checked as the
 * client receives them: TRPCClientError with data.code, data.httpStatus, data.domainCode,
 * data.details and the contract's sentence as message.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { JOB_STATUSES, JOB_TYPES, type JobChange, type JobStatus, type JobType } from '@scrape-jobs/domain';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './test-server.ts';
import { skipPostgres } from '@scrape-jobs/db/testing';

const START = Date.parse('2026-05-04T09:00:00.000Z');
const UNKNOWN_ID = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
const CLAIM_TIMEOUT_MS = 10 * 60_000;

type Client = TRPCClient<AppRouter>;
type ClientError = TRPCClientError<AppRouter>;

function makeClient(baseUrl: string, headers: Record<string, string> = {}): Client {
  const url = `${baseUrl}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpBatchLink({ url, headers }),
      }),
    ],
  });
}

/** The call must fail with a TRPCClientError; returns it. */
async function failure(call: Promise<unknown>): Promise<ClientError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCClientError);
    return error as ClientError;
  }
  throw new Error(`expected the call to fail, it returned ${JSON.stringify(result)}`);
}

/** What a client error carries, in one object for one assertion. */
const seen = (error: ClientError) => ({
  message: error.message,
  code: error.data?.code,
  httpStatus: error.data?.httpStatus,
  domainCode: error.data?.domainCode,
  details: error.data?.details,
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

describe.each(['pglite', 'postgres'] as const)('tRPC client over HTTP on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let server: TestServer;
  let client: Client;
  let nowMs = START;
  const tick = (ms = 1000) => {
    nowMs += ms;
  };
  const iso = (ms = nowMs) => new Date(ms).toISOString();
  /** Server-side change-feed listeners currently open (to prove subscriptions close). */
  let openListeners = 0;

  beforeAll(async () => {
    server = await startTestServer(kind, { clock: () => new Date(nowMs), random: () => 0.5 });
    const original = server.manager.onJobChange;
    server.manager.onJobChange = (listener, options) => {
      openListeners++;
      const off = original(listener, options);
      let closed = false;
      return () => {
        if (!closed) openListeners--;
        closed = true;
        off();
      };
    };
    client = makeClient(server.url);
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    await server.database.db.prisma.$executeRawUnsafe('TRUNCATE page_results, job_history, scrape_jobs');
    nowMs = START;
  });

  test('the history of a job records each mutation with the X-Request-ID it came with and the fields it changed', async () => {
    const requestClient = (id: string, extra: Record<string, string> = {}) => makeClient(server.url, { 'x-request-id': id, ...extra });
    const created = await requestClient('trpc-create').scrapeJobs.create.mutate({ domain: 'audit.example.com' });
    tick();
    const claimed = (await requestClient('trpc-claim', { 'x-worker-id': 'trpc-worker' }).queue.claim.mutate())!;
    tick();
    await requestClient('trpc-progress').scrapeJobs.update.mutate({ id: created.id, claim_token: claimed.claim_token, stats: { pagesProcessed: 4 } });
    tick();
    await requestClient('trpc-release').queue.release.mutate({ id: created.id, claim_token: claimed.claim_token, reason: 'deploy' });
    const history = await client.scrapeJobs.history.query({ id: created.id });
    expect(history.map((h) => [h.action, h.from_status, h.to_status, h.actor, h.key_id, h.request_id, h.at])).toEqual([
      ['created', null, 'pending', 'api', null, 'trpc-create', iso(START)],
      ['claimed', 'pending', 'running', 'worker:trpc-worker', null, 'trpc-claim', iso(START + 1000)],
      ['updated', 'running', 'running', 'worker:trpc-worker', null, 'trpc-progress', iso(START + 2000)],
      ['released', 'running', 'pending', 'worker:trpc-worker', null, 'trpc-release', iso(START + 3000)],
    ]);
    expect(history[2]!.changes).toEqual({
      stats: { old: {}, new: { pagesProcessed: 4 } },
      claim_expires_at: { old: iso(START + 1000 + CLAIM_TIMEOUT_MS), new: iso(START + 2000 + CLAIM_TIMEOUT_MS) },
    });
    expect(history[3]!.changes).toEqual({
      status: { old: 'running', new: 'pending' },
      worker_id: { old: 'trpc-worker', new: null },
      claimed_at: { old: iso(START + 1000), new: null },
      started_at: { old: iso(START + 1000), new: null },
      claim_expires_at: { old: iso(START + 2000 + CLAIM_TIMEOUT_MS), new: null },
      available_at: { old: iso(START), new: iso(START + 3000) },
    });
    // A refused mutation adds nothing.
    await failure(requestClient('trpc-refused').scrapeJobs.update.mutate({ id: created.id, status: 'completed' }));
    expect(await client.scrapeJobs.history.query({ id: created.id })).toEqual(history);
  });

  test('create, get, list, update and cancel end to end', async () => {
    const created = await client.scrapeJobs.create.mutate({ domain: 'Shop.Example.com', priority: 7, metadata: { source: 'client' } });
    expect(created).toEqual({ id: expect.any(String), domain: 'shop.example.com', job_type: 'domain_scrape', status: 'pending', priority: 7, created_at: iso() });

    const job = await client.scrapeJobs.get.query({ id: created.id });
    expect(job).toMatchObject({ id: created.id, status: 'pending', retry_count: 0, max_retries: 3, metadata: { source: 'client' }, stats: {} });
    expect(job.config).toMatchObject({ depth: 3, maxPages: 100, timeout: 30000, respectRobots: true, includeSubdomains: false, delay: 1000, retryOnFailure: true });
    expect(job).not.toHaveProperty('claim_token');

    tick();
    const other = await client.scrapeJobs.create.mutate({ domain: 'other.example.com', job_type: 'sitemap_crawl', priority: 2 });
    tick();
    const { jobs, pagination } = await client.scrapeJobs.list.query({});
    expect(jobs.map((j) => j.id)).toEqual([other.id, created.id]);
    expect(pagination).toEqual({ offset: 0, limit: 50, total: 2, has_more: false });
    const page = await client.scrapeJobs.list.query({ limit: 1, order_by: 'priority', order_direction: 'desc' });
    expect(page.jobs.map((j) => j.id)).toEqual([created.id]);
    expect(page.pagination).toEqual({ offset: 0, limit: 1, total: 2, has_more: true });
    expect((await client.scrapeJobs.list.query({ job_type: 'sitemap_crawl' })).jobs.map((j) => j.id)).toEqual([other.id]);
    expect((await client.scrapeJobs.list.query({ domain: 'shop.example.com', status: 'pending' })).jobs.map((j) => j.id)).toEqual([created.id]);

    const running = await client.scrapeJobs.update.mutate({ id: created.id, status: 'running', stats: { totalPages: 150 } });
    expect(running).toEqual({ id: created.id, status: 'running', updated_at: iso(), stats: { totalPages: 150 } });
    tick();
    const progress = await client.scrapeJobs.update.mutate({ id: created.id, stats: { pagesProcessed: 75 }, metadata: { notes: 'half' } });
    expect(progress.stats).toEqual({ totalPages: 150, pagesProcessed: 75 });
    expect((await client.scrapeJobs.get.query({ id: created.id })).metadata).toEqual({ source: 'client', notes: 'half' });

    tick();
    const cancelled = await client.scrapeJobs.cancel.mutate({ id: created.id, reason: 'User requested cancellation' });
    expect(cancelled).toEqual({ id: created.id, status: 'cancelled', error_message: 'Cancelled via API: User requested cancellation', completed_at: iso() });
    const plain = await client.scrapeJobs.cancel.mutate({ id: other.id });
    expect(plain.error_message).toBe('Cancelled via API');

    const history = await client.scrapeJobs.history.query({ id: created.id });
    expect(history.map((h) => [h.action, h.from_status, h.to_status, h.actor])).toEqual([
      ['created', null, 'pending', 'api'],
      ['updated', 'pending', 'running', 'api'],
      ['updated', 'running', 'running', 'api'],
      ['cancelled', 'running', 'cancelled', 'api'],
    ]);
  });

  test('batched calls in one request each get their own result or error', async () => {
    const [a, b, missing] = await Promise.allSettled([
      client.scrapeJobs.create.mutate({ domain: 'batch-a.example.com' }),
      client.scrapeJobs.create.mutate({ domain: 'batch-b.example.com' }),
      client.scrapeJobs.get.query({ id: UNKNOWN_ID }),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(missing.status).toBe('rejected');
    expect(seen((missing as PromiseRejectedResult).reason)).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, message: 'Job not found' });
  });

  test('errors as a client sees them: code, HTTP status, domain code, details and the sentence', async () => {
    const { id } = await client.scrapeJobs.create.mutate({ domain: 'example.com' });

    expect(seen(await failure(client.scrapeJobs.create.mutate({ domain: 'example.com' })))).toEqual({
      message: 'A pending job already exists for domain: example.com',
      code: 'CONFLICT',
      httpStatus: 409,
      domainCode: 'DUPLICATE_ACTIVE_JOB',
      details: { existingJobId: id, status: 'pending', job_type: 'domain_scrape' },
    });

    expect(seen(await failure(client.scrapeJobs.get.query({ id: UNKNOWN_ID })))).toEqual({
      message: 'Job not found',
      code: 'NOT_FOUND',
      httpStatus: 404,
      domainCode: 'NOT_FOUND',
      details: undefined,
    });

    const malformed = await failure(client.scrapeJobs.get.query({ id: 'not-a-uuid' }));
    expect(seen(malformed)).toEqual({
      message: 'Invalid job id: must be a UUID',
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'VALIDATION',
      details: [{ path: 'id', message: 'Invalid job id: must be a UUID' }],
    });
    expect(malformed.data?.stack).toBeUndefined();

    for (const [input, message] of [
      [{ domain: 'a.com', priority: 11 }, 'Priority must be between 1 and 10'],
      [{}, 'Domain is required'],
      [{ domain: 'a.com', config: { maxPages: -5 } }, /^maxPages must be a positive number/],
    ] as const) {
      const error = await failure(client.scrapeJobs.create.mutate(input as never));
      expect(seen(error)).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, domainCode: 'VALIDATION' });
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    }
    // The wrong type entirely is still a 400 with words, never a 500.
    const wrongType = await failure(client.scrapeJobs.get.query({ id: 42 } as never));
    expect(seen(wrongType)).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, domainCode: 'VALIDATION' });
    expect(() => JSON.parse(wrongType.message)).toThrow();
    // Text the database cannot store is the caller's mistake too.
    expect(seen(await failure(client.scrapeJobs.create.mutate({ domain: 'nul.example.com', metadata: { note: 'a\u0000b' } })))).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'VALIDATION',
      message: 'Text must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates',
    });
    expect(seen(await failure(client.scrapeJobs.list.query({ limit: 9999 })))).toMatchObject({ code: 'BAD_REQUEST', message: 'limit must be between 1 and 500' });
    expect(seen(await failure(client.scrapeJobs.list.query({ status: 'done' })))).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^Invalid status: done/) });

    await client.scrapeJobs.update.mutate({ id, status: 'running' });
    await client.scrapeJobs.update.mutate({ id, status: 'completed' });
    expect(seen(await failure(client.scrapeJobs.update.mutate({ id, status: 'running' })))).toEqual({
      message: "Cannot transition from 'completed' to 'running'",
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'INVALID_TRANSITION',
      details: { from: 'completed', to: 'running' },
    });
    expect(seen(await failure(client.scrapeJobs.update.mutate({ id, retry_count: -1 })))).toMatchObject({
      message: 'Invalid retry_count: must be a non-negative integer',
      code: 'BAD_REQUEST',
    });
    expect(seen(await failure(client.scrapeJobs.cancel.mutate({ id })))).toEqual({
      message: 'Job not found or cannot be cancelled',
      code: 'CONFLICT',
      httpStatus: 409,
      domainCode: 'NOT_CANCELLABLE',
      details: 'Job is already completed',
    });
    expect(seen(await failure(client.scrapeJobs.cancel.mutate({ id: UNKNOWN_ID })))).toMatchObject({ code: 'NOT_FOUND', message: 'Job not found' });
    expect((await client.scrapeJobs.get.query({ id })).status).toBe('completed');
  });

  test('retry: success, not retryable, and past the limit', async () => {
    const { id } = await client.scrapeJobs.create.mutate({ domain: 'retry.example.com', max_retries: 1 });
    expect(seen(await failure(client.scrapeJobs.retry.mutate({ id })))).toMatchObject({
      message: 'Job cannot be retried',
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'NOT_RETRYABLE',
      details: { currentStatus: 'pending', reason: expect.any(String) },
    });
    await client.scrapeJobs.update.mutate({ id, status: 'running' });
    expect(seen(await failure(client.scrapeJobs.retry.mutate({ id })))).toMatchObject({
      domainCode: 'NOT_RETRYABLE',
      details: { currentStatus: 'running', reason: 'Job is currently in progress' },
    });
    await client.scrapeJobs.update.mutate({ id, status: 'failed', error_message: 'Request timeout' });
    tick();
    const retried = await client.scrapeJobs.retry.mutate({ id, reason: 'Transient', retried_by: 'ops@example.com' });
    expect(retried).toMatchObject({ id, status: 'pending', retry_count: 1, max_retries: 1, error_message: null });
    expect(retried.metadata).toMatchObject({ retryReason: 'Transient', lastError: 'Request timeout', retriedAt: iso(), retriedBy: 'ops@example.com' });
    expect((await client.queue.peek.query())?.id).toBe(id);

    await client.scrapeJobs.update.mutate({ id, status: 'running' });
    await client.scrapeJobs.update.mutate({ id, status: 'failed', error_message: 'Request timeout' });
    expect(seen(await failure(client.scrapeJobs.retry.mutate({ id })))).toEqual({
      message: 'Job has exceeded maximum retry attempts',
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'MAX_RETRIES_EXCEEDED',
      details: { jobId: id, currentRetries: 1, maxRetries: 1, lastError: 'Request timeout', failurePattern: 'The same error in all 2 failures' },
    });
    expect(seen(await failure(client.scrapeJobs.retry.mutate({ id: UNKNOWN_ID })))).toMatchObject({ code: 'NOT_FOUND', message: 'Job not found' });
  });

  test('stats agree with the jobs the client can list', async () => {
    const specs: Array<{ domain: string; job_type?: JobType; priority: number; end: JobStatus; stats?: Record<string, number> }> = [
      { domain: 'one.example.com', priority: 9, end: 'completed', stats: { pagesProcessed: 80, successfulRequests: 78, failedRequests: 2 } },
      { domain: 'one.example.com', job_type: 'single_page', priority: 3, end: 'failed', stats: { pagesProcessed: 1, failedRequests: 4 } },
      { domain: 'two.example.com', priority: 3, end: 'cancelled' },
      { domain: 'two.example.com', job_type: 'sitemap_crawl', priority: 5, end: 'running', stats: { pagesProcessed: 12, successfulRequests: 12 } },
      { domain: 'three.example.com', job_type: 'product_catalog', priority: 10, end: 'pending' },
    ];
    for (const spec of specs) {
      const { id } = await client.scrapeJobs.create.mutate({ domain: spec.domain, job_type: spec.job_type, priority: spec.priority });
      tick(2000);
      if (spec.end === 'cancelled') await client.scrapeJobs.cancel.mutate({ id });
      if (spec.end === 'pending' || spec.end === 'cancelled') continue;
      await client.scrapeJobs.update.mutate({ id, status: 'running', stats: spec.stats });
      tick(30_000);
      if (spec.end !== 'running') await client.scrapeJobs.update.mutate({ id, status: spec.end, ...(spec.end === 'failed' ? { error_message: 'Blocked by robots' } : {}) });
    }
    const { jobs } = await client.scrapeJobs.list.query({ limit: 500 });
    const stats = await client.scrapeJobs.stats.query();
    const count = (s: JobStatus) => jobs.filter((j) => j.status === s).length;
    const finished = count('completed') + count('failed') + count('cancelled');
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    const successful = jobs.reduce((n, j) => n + num(j.stats.successfulRequests), 0);
    const failedRequests = jobs.reduce((n, j) => n + num(j.stats.failedRequests), 0);
    expect(stats.domain).toBe('all_domains');
    expect(stats.overview).toMatchObject({
      totalJobs: jobs.length,
      completedJobs: count('completed'),
      failedJobs: count('failed'),
      pendingJobs: count('pending'),
      runningJobs: count('running'),
      cancelledJobs: count('cancelled'),
      successRate: Math.round((count('completed') / finished) * 10000) / 100,
      avgCompletionTime: 30,
    });
    expect(stats.statusBreakdown).toEqual(Object.fromEntries(JOB_STATUSES.map((s) => [s, count(s)])));
    expect(stats.jobTypeBreakdown).toEqual(Object.fromEntries(JOB_TYPES.map((t) => [t, jobs.filter((j) => j.job_type === t).length])));
    expect(stats.priorityDistribution).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), jobs.filter((j) => j.priority === i + 1).length])));
    expect(stats.performance).toMatchObject({
      totalPagesProcessed: jobs.reduce((n, j) => n + num(j.stats.pagesProcessed), 0),
      successfulRequests: successful,
      failedRequests,
      requestSuccessRate: Math.round((successful / (successful + failedRequests)) * 10000) / 100,
    });
    expect(stats.errorAnalysis.commonErrors).toEqual([{ error: 'Blocked by robots', count: 1, percentage: 100 }]);
    expect(stats.overview.totalJobs).toBe(specs.length);

    const scoped = await client.scrapeJobs.stats.query({ domain: 'two.example.com' });
    expect(scoped.domain).toBe('two.example.com');
    expect(scoped.overview.totalJobs).toBe(jobs.filter((j) => j.domain === 'two.example.com').length);
    expect(scoped.jobHistory?.length).toBe(2);
    expect(seen(await failure(client.scrapeJobs.stats.query({ period: 'week' } as never)))).toMatchObject({ code: 'BAD_REQUEST', message: 'Unknown query parameter: period' });
  });

  test('queue: peek, claim (input worker_id or X-Worker-ID header), heartbeat, and CLAIM_LOST after a cancel', async () => {
    expect(await client.queue.peek.query()).toBeNull();
    expect(await client.queue.claim.mutate({ worker_id: 'w0' })).toBeNull();
    const low = await client.scrapeJobs.create.mutate({ domain: 'low.example.com', priority: 2 });
    tick();
    const high = await client.scrapeJobs.create.mutate({ domain: 'high.example.com', priority: 8 });
    tick();
    expect((await client.queue.peek.query())?.id).toBe(high.id);
    expect((await client.queue.peek.query())?.status).toBe('pending');

    expect(seen(await failure(client.queue.claim.mutate()))).toMatchObject({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'VALIDATION',
      message: 'worker_id is required (body worker_id or the X-Worker-ID header)',
    });
    expect((await client.queue.peek.query())?.id).toBe(high.id);

    const claimed = (await client.queue.claim.mutate({ worker_id: 'crawler-1' }))!;
    expect(claimed).toMatchObject({
      id: high.id,
      status: 'running',
      worker_id: 'crawler-1',
      claimed_at: iso(),
      started_at: iso(),
      claim_expires_at: iso(nowMs + CLAIM_TIMEOUT_MS),
      metadata: { claimedBy: 'crawler-1' },
    });
    expect(claimed.claim_token).toEqual(expect.any(String));

    const worker = makeClient(server.url, { 'x-worker-id': 'header-worker' });
    const viaHeader = (await worker.queue.claim.mutate())!;
    expect(viaHeader).toMatchObject({ id: low.id, worker_id: 'header-worker', metadata: { claimedBy: 'header-worker' } });
    expect(await worker.queue.claim.mutate()).toBeNull();
    const lowHistory = await client.scrapeJobs.history.query({ id: low.id });
    expect(lowHistory.at(-1)).toMatchObject({ from_status: 'pending', to_status: 'running', actor: 'worker:header-worker', reason: 'Claimed' });

    tick(4 * 60_000);
    const beat = await client.queue.heartbeat.mutate({ id: high.id, claim_token: claimed.claim_token, stats: { pagesProcessed: 5 } });
    expect(beat).toEqual({ id: high.id, status: 'running', claim_expires_at: iso(nowMs + CLAIM_TIMEOUT_MS), updated_at: iso() });
    expect(Date.parse(beat.claim_expires_at!)).toBeGreaterThan(Date.parse(claimed.claim_expires_at!));
    expect((await client.scrapeJobs.get.query({ id: high.id })).stats).toEqual({ pagesProcessed: 5 });

    expect(seen(await failure(client.queue.heartbeat.mutate({ id: high.id, claim_token: viaHeader.claim_token })))).toMatchObject({
      code: 'CONFLICT',
      httpStatus: 409,
      domainCode: 'CLAIM_LOST',
    });

    await client.scrapeJobs.cancel.mutate({ id: high.id, reason: 'no longer needed' });
    expect(seen(await failure(client.queue.heartbeat.mutate({ id: high.id, claim_token: claimed.claim_token })))).toEqual({
      message: 'Claim is no longer held by this worker',
      code: 'CONFLICT',
      httpStatus: 409,
      domainCode: 'CLAIM_LOST',
      details: { currentStatus: 'cancelled', reason: 'The job is cancelled' },
    });
    expect((await client.scrapeJobs.get.query({ id: high.id })).status).toBe('cancelled');

    // The header worker finishes its job through its claim.
    const done = await worker.scrapeJobs.update.mutate({ id: low.id, status: 'completed', claim_token: viaHeader.claim_token, stats: { pagesProcessed: 9 } });
    expect(done).toMatchObject({ id: low.id, status: 'completed', stats: { pagesProcessed: 9 } });
    expect(seen(await failure(worker.queue.heartbeat.mutate({ id: low.id, claim_token: viaHeader.claim_token })))).toMatchObject({
      domainCode: 'CLAIM_LOST',
      details: { currentStatus: 'completed' },
    });
  });

  describe('scrapeJobs.onChange subscription', () => {
    /** A subscription that records what it receives. */
    function watch(input: { job_id?: string; domain?: string; into_statuses?: JobStatus[] } | undefined) {
      const events: JobChange[] = [];
      const errors: unknown[] = [];
      let started = false;
      const subscription = client.scrapeJobs.onChange.subscribe(input, {
        onStarted: () => {
          started = true;
        },
        onData: (change) => {
          events.push(change);
        },
        onError: (error) => {
          errors.push(error);
        },
      });
      return {
        events,
        errors,
        /** Open and delivering: a probe write shows up (then the probe's events are dropped). */
        async ready(probe: () => Promise<unknown>) {
          await until(() => started || errors.length > 0, 'the subscription to start');
          expect(errors).toEqual([]);
          for (let attempt = 0; events.length === 0; attempt++) {
            if (attempt === 20) throw new Error('the subscription never delivered a probe event');
            await probe();
            const deadline = Date.now() + 500;
            while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
          events.length = 0;
        },
        of: (jobId: string) => events.filter((e) => e.job_id === jobId).map((e) => [e.old_status, e.new_status]),
        close: () => subscription.unsubscribe(),
      };
    }

    test('receives create, update and cancel events for a job, and closes cleanly', async () => {
      const listenersBefore = openListeners;
      const feed = watch(undefined);
      const probe = await client.scrapeJobs.create.mutate({ domain: 'probe.example.com' });
      await feed.ready(() => client.scrapeJobs.update.mutate({ id: probe.id, metadata: { probe: Date.now() } }));
      expect(openListeners).toBe(listenersBefore + 1);

      tick();
      const job = await client.scrapeJobs.create.mutate({ domain: 'Live.Example.com', customer_config_id: '11111111-2222-4333-8444-555555555555' });
      tick();
      const running = await client.scrapeJobs.update.mutate({ id: job.id, status: 'running' });
      tick();
      await client.scrapeJobs.update.mutate({ id: job.id, stats: { pagesProcessed: 3 } });
      tick();
      const cancelled = await client.scrapeJobs.cancel.mutate({ id: job.id, reason: 'stop' });
      await until(() => feed.of(job.id).length >= 4, 'four events for the job');

      expect(feed.of(job.id)).toEqual([
        [null, 'pending'],
        ['pending', 'running'],
        ['running', 'running'],
        ['running', 'cancelled'],
      ]);
      const ours = feed.events.filter((e) => e.job_id === job.id);
      expect(ours[0]).toEqual({
        job_id: job.id,
        domain: 'live.example.com',
        customer_config_id: '11111111-2222-4333-8444-555555555555',
        old_status: null,
        new_status: 'pending',
        updated_at: job.created_at,
      });
      expect(ours[1]!.updated_at).toBe(running.updated_at);
      expect(ours[3]!.updated_at).toBe(cancelled.completed_at);
      expect(feed.errors).toEqual([]);

      feed.close();
      await until(() => openListeners === listenersBefore, 'the server to drop the closed subscription');
      // Nothing arrives after closing.
      const count = feed.events.length;
      await client.scrapeJobs.create.mutate({ domain: 'after-close.example.com' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(feed.events.length).toBe(count);
    });

    test('a subscription filtered by job_id (or domain) receives only that job’s events', async () => {
      const listenersBefore = openListeners;
      const a = await client.scrapeJobs.create.mutate({ domain: 'a.example.com' });
      const b = await client.scrapeJobs.create.mutate({ domain: 'b.example.com' });
      const onlyA = watch({ job_id: a.id });
      const onlyB = watch({ domain: 'B.example.com' });
      const everything = watch(undefined);
      await onlyA.ready(() => client.scrapeJobs.update.mutate({ id: a.id, metadata: { probe: Date.now() } }));
      await onlyB.ready(() => client.scrapeJobs.update.mutate({ id: b.id, metadata: { probe: Date.now() } }));
      await everything.ready(() => client.scrapeJobs.update.mutate({ id: a.id, metadata: { probe: Date.now() } }));
      // Let the last probe's copies reach every feed, then start from nothing.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const feed of [onlyA, onlyB, everything]) feed.events.length = 0;
      expect(openListeners).toBe(listenersBefore + 3);

      tick();
      await client.scrapeJobs.update.mutate({ id: b.id, status: 'running' });
      await client.scrapeJobs.update.mutate({ id: a.id, status: 'running' });
      const c = await client.scrapeJobs.create.mutate({ domain: 'c.example.com' });
      await client.scrapeJobs.update.mutate({ id: b.id, status: 'completed' });
      await client.scrapeJobs.update.mutate({ id: a.id, status: 'failed', error_message: 'boom' });
      await client.scrapeJobs.cancel.mutate({ id: c.id });
      await client.scrapeJobs.cancel.mutate({ id: a.id });
      // The unfiltered control has seen every write, so the filtered ones have had their chance.
      await until(() => everything.events.length >= 7, 'the control feed to see all seven writes');
      await until(() => onlyA.events.length >= 3 && onlyB.events.length >= 2, 'the filtered feeds');
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(onlyA.events.every((e) => e.job_id === a.id)).toBe(true);
      expect(onlyA.of(a.id)).toEqual([
        ['pending', 'running'],
        ['running', 'failed'],
        ['failed', 'cancelled'],
      ]);
      expect(onlyB.events.every((e) => e.job_id === b.id && e.domain === 'b.example.com')).toBe(true);
      expect(onlyB.of(b.id)).toEqual([
        ['pending', 'running'],
        ['running', 'completed'],
      ]);
      expect(everything.of(c.id)).toEqual([
        [null, 'pending'],
        ['pending', 'cancelled'],
      ]);

      for (const feed of [onlyA, onlyB, everything]) feed.close();
      await until(() => openListeners === listenersBefore, 'the server to drop all three subscriptions');
    });

    test('into_statuses: only the moves into those statuses; a subscription only to pending and cancelled does not watch', async () => {
      const leases = async () =>
        (await server.database.db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM job_feed_watchers WHERE expires_at > now()`)[0]!.n;
      const leasesBecome = async (count: number) => {
        for (const start = Date.now(); (await leases()) !== count && Date.now() - start < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await leases()).toBe(count);
      };
      await leasesBecome(0); // the earlier tests' subscriptions gone
      let n = 0;
      const probe = () => client.scrapeJobs.create.mutate({ domain: `probe-${++n}.example.com` });
      const worker = watch({ into_statuses: ['pending', 'cancelled'] });
      await worker.ready(probe);
      const jobs = [await client.scrapeJobs.create.mutate({ domain: 'into-a.example.com' }), await client.scrapeJobs.create.mutate({ domain: 'into-b.example.com' })];
      await client.scrapeJobs.update.mutate({ id: jobs[0]!.id, status: 'running' });
      await client.scrapeJobs.update.mutate({ id: jobs[0]!.id, metadata: { note: 'still running' } });
      await client.scrapeJobs.update.mutate({ id: jobs[0]!.id, status: 'failed', error_message: 'boom' });
      await client.scrapeJobs.retry.mutate({ id: jobs[0]!.id });
      await client.scrapeJobs.update.mutate({ id: jobs[1]!.id, metadata: { note: 'pending → pending' } });
      await client.scrapeJobs.cancel.mutate({ id: jobs[1]!.id });
      await until(() => worker.of(jobs[1]!.id).length >= 2, 'the cancel');
      expect(worker.of(jobs[0]!.id)).toEqual([
        [null, 'pending'],
        ['failed', 'pending'],
      ]);
      expect(worker.of(jobs[1]!.id)).toEqual([
        [null, 'pending'],
        ['pending', 'cancelled'],
      ]);
      // It holds no lease, so the database announces the other updates to no one.
      expect(await leases()).toBe(0);

      const everything = watch(undefined);
      await everything.ready(probe);
      await leasesBecome(1);
      everything.close();
      worker.close();
      await leasesBecome(0);
    });

    test('a malformed filter is refused with BAD_REQUEST and a sentence', async () => {
      const listenersBefore = openListeners;
      const feed = watch({ job_id: 'not-a-uuid' });
      await until(() => feed.errors.length > 0, 'the subscription error');
      feed.close();
      const error = feed.errors[0] as ClientError;
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(seen(error)).toMatchObject({ code: 'BAD_REQUEST', message: 'Invalid job id: must be a UUID', domainCode: 'VALIDATION' });
      expect(openListeners).toBe(listenersBefore);
    });
  });
});
