/**
 * The tRPC router called in-process (`createCaller(createContextInner({ manager }))`) against
 * a real, freshly migrated database — once on PGlite and once on PostgreSQL. Every test starts
 * from empty tables and a controllable clock, so queue order, durations and trends are exact.
 */
import { PrismaJobStatus, PrismaJobType } from '@scrape-jobs/db';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import {
  DEFAULT_USER_AGENT,
  DomainError,
  JOB_STATUSES,
  JOB_TYPES,
  type JobStatus,
  type JobType,
  OPEN_PRINCIPAL,
} from '@scrape-jobs/domain';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { callerFor, createCaller, createContextInner, createScrapeJobManager, OPEN_CALLER, DEFAULT_CLAIM_TIMEOUT_MS, type ScrapeJobManager } from '../src/index.ts';

type Caller = ReturnType<typeof createCaller>;

const START = Date.parse('2026-03-01T12:00:00.000Z');
const UNKNOWN_ID = '6f1c1a52-6c0e-4d43-9b7a-1f2e3d4c5b6a';

/** The call must fail with a TRPCError; returns it for further checks. */
async function failure(call: Promise<unknown>): Promise<TRPCError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return error as TRPCError;
  }
  throw new Error(`expected the call to fail, it returned ${JSON.stringify(result)}`);
}

/** The domain error behind a TRPCError (what the error formatter turns into data.domainCode / data.details). */
function domainCause(error: TRPCError): DomainError {
  expect(error.cause).toBeInstanceOf(DomainError);
  return error.cause as DomainError;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round2 = (n: number) => Math.round(n * 100) / 100;
const percent = (part: number, whole: number) => (whole > 0 ? round2((part / whole) * 100) : 0);
const avg = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)]! + s[Math.ceil(mid)]!) / 2;
}

describe.each(['pglite', 'postgres'] as const satisfies readonly DatabaseKind[])('tRPC router on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let database: TestDatabase;
  let manager: ScrapeJobManager;
  let api: Caller;
  let nowMs: number;
  const tick = (ms = 1000) => {
    nowMs += ms;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(async () => {
    await database?.destroy();
  });

  // Every test starts from empty tables (TRUNCATE bypasses the history's append-only
  // row trigger) and the same instant.
  beforeEach(async () => {
    await database.db.prisma.$executeRawUnsafe('TRUNCATE page_results, job_history, scrape_jobs');
    nowMs = START;
    manager = createScrapeJobManager({ db: database.db, clock: () => new Date(nowMs), random: () => 0.5 });
    api = createCaller(createContextInner({ manager }));
  });

  /** Rows of both tables, to prove a rejected call changed nothing. */
  async function snapshot() {
    const prisma = database.db.prisma;
    const jobs = await prisma.$queryRaw`SELECT * FROM scrape_jobs ORDER BY id`;
    const history = await prisma.$queryRaw`SELECT id::int AS id, job_id, action, from_status, to_status, actor, key_id, request_id, reason, changes, at FROM job_history ORDER BY id`;
    return JSON.parse(JSON.stringify({ jobs, history }));
  }

  test('the database enums, the Prisma enums and the domain enums are the same lists in the same order', async () => {
    expect(Object.values(PrismaJobStatus)).toEqual([...JOB_STATUSES]);
    expect(Object.values(PrismaJobType)).toEqual([...JOB_TYPES]);
    const [row] = await database.db.prisma.$queryRaw<Array<{ statuses: string; types: string }>>`
      SELECT array_to_string(enum_range(NULL::job_status), ',') AS statuses, array_to_string(enum_range(NULL::job_type), ',') AS types`;
    expect(row!.statuses.split(',')).toEqual([...JOB_STATUSES]);
    expect(row!.types.split(',')).toEqual([...JOB_TYPES]);
  });

  describe('create', () => {
    test('returns exactly the contract fields, and the stored job has every default', async () => {
      const created = await api.scrapeJobs.create({ domain: 'HTTPS://Example.COM/' });
      expect(Object.keys(created).sort()).toEqual(['created_at', 'domain', 'id', 'job_type', 'priority', 'status']);
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        domain: 'example.com',
        job_type: 'domain_scrape',
        status: 'pending',
        priority: 5,
        created_at: iso(START),
      });
      const job = await api.scrapeJobs.get({ id: created.id });
      expect(job).toMatchObject({
        id: created.id,
        domain: 'example.com',
        domain_id: null,
        customer_config_id: null,
        retry_count: 0,
        max_retries: 3,
        metadata: {},
        stats: {},
        started_at: null,
        completed_at: null,
        error_message: null,
        worker_id: null,
        claimed_at: null,
        created_at: iso(START),
        updated_at: iso(START),
      });
      expect(job.config).toEqual({
        depth: 3,
        maxPages: 100,
        timeout: 30000,
        respectRobots: true,
        includeSubdomains: false,
        userAgent: DEFAULT_USER_AGENT,
        delay: 1000,
        retryOnFailure: true,
      });
      expect(job).not.toHaveProperty('claim_token');
    });

    test('keeps the given fields and fills the rest of config', async () => {
      const customer = '0b7f2d9e-3c4a-4e5f-8a6b-7c8d9e0f1a2b';
      const created = await api.scrapeJobs.create({
        domain: 'shop.example.com:8443',
        job_type: 'product_catalog',
        priority: 9,
        max_retries: 1,
        customer_config_id: customer,
        config: { maxPages: 150, userAgent: 'CustomBot/1.0' },
        metadata: { source: 'api', tags: ['ecommerce'] },
      });
      expect(created).toMatchObject({ domain: 'shop.example.com:8443', job_type: 'product_catalog', priority: 9, status: 'pending' });
      const job = await api.scrapeJobs.get({ id: created.id });
      expect(job).toMatchObject({ max_retries: 1, customer_config_id: customer, metadata: { source: 'api', tags: ['ecommerce'] } });
      expect(job.config).toMatchObject({ maxPages: 150, userAgent: 'CustomBot/1.0', depth: 3, timeout: 30000, delay: 1000 });
    });

    test.each([
      [{}, 'Domain is required'],
      [{ domain: '' }, 'Domain is required'],
      [{ domain: 'a.com', priority: 11 }, 'Priority must be between 1 and 10'],
      [{ domain: 'a.com', priority: 0 }, 'Priority must be between 1 and 10'],
      [{ domain: 'a.com', config: { maxPages: 0 } }, /^maxPages must be a positive number/],
      [{ domain: 'a.com', config: { maxPage: 10 } }, 'Unknown config field: maxPage'],
      [{ domain: 'a.com/path' }, /^Invalid domain/],
      [{ domain: 'a.com', job_type: 'everything' }, /^Invalid job_type: "everything"/],
    ])('refuses bad input %j with a sentence', async (input, message) => {
      const before = await snapshot();
      const error = await failure(api.scrapeJobs.create(input as never));
      expect(error.code).toBe('BAD_REQUEST');
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
      expect(domainCause(error).code).toBe('VALIDATION');
      expect(await snapshot()).toEqual(before);
    });

    test('a second active job for the same domain and job type is a CONFLICT with the contract sentence', async () => {
      const first = await api.scrapeJobs.create({ domain: 'example.com' });
      const before = await snapshot();
      const pending = await failure(api.scrapeJobs.create({ domain: 'Example.com' }));
      expect(pending.code).toBe('CONFLICT');
      expect(pending.message).toBe('A pending job already exists for domain: example.com');
      expect(domainCause(pending)).toMatchObject({ code: 'DUPLICATE_ACTIVE_JOB', details: { existingJobId: first.id, status: 'pending' } });
      expect(await snapshot()).toEqual(before);

      await api.queue.claim({ worker_id: 'w1' });
      const running = await failure(api.scrapeJobs.create({ domain: 'example.com' }));
      expect(running.code).toBe('CONFLICT');
      expect(running.message).toBe('A running job already exists for domain: example.com');

      // Another job type, or the same one once the first has finished, is fine.
      const other = await api.scrapeJobs.create({ domain: 'example.com', job_type: 'sitemap_crawl' });
      expect(other.job_type).toBe('sitemap_crawl');
      await api.scrapeJobs.update({ id: first.id, status: 'completed' });
      const again = await api.scrapeJobs.create({ domain: 'example.com' });
      expect(again.id).not.toBe(first.id);
    });
  });

  describe('list', () => {
    async function seed() {
      const specs: Array<{ domain: string; job_type?: JobType; priority: number }> = [
        { domain: 'a.com', priority: 3 },
        { domain: 'b.com', priority: 8 },
        { domain: 'a.com', job_type: 'single_page', priority: 5 },
        { domain: 'c.com', priority: 1 },
        { domain: 'b.com', job_type: 'sitemap_crawl', priority: 10 },
      ];
      const ids: string[] = [];
      for (const spec of specs) {
        ids.push((await api.scrapeJobs.create(spec)).id);
        tick();
      }
      await api.scrapeJobs.cancel({ id: ids[3]! });
      tick();
      await api.scrapeJobs.update({ id: ids[1]!, status: 'running' });
      return ids;
    }

    test('defaults: newest first, limit 50, offset 0, with pagination', async () => {
      const ids = await seed();
      const { jobs, pagination } = await api.scrapeJobs.list({});
      expect(jobs.map((j) => j.id)).toEqual([...ids].reverse());
      expect(pagination).toEqual({ offset: 0, limit: 50, total: 5, has_more: false });
      expect(jobs[0]).not.toHaveProperty('claim_token');
    });

    test('filters by domain, status list and job type', async () => {
      const ids = await seed();
      const byDomain = await api.scrapeJobs.list({ domain: 'A.com' });
      expect(byDomain.jobs.map((j) => j.id)).toEqual([ids[2], ids[0]]);
      expect(byDomain.pagination.total).toBe(2);

      const byStatus = await api.scrapeJobs.list({ status: 'running,cancelled' });
      expect(byStatus.jobs.map((j) => j.id).sort()).toEqual([ids[1], ids[3]].sort());
      const byStatusArray = await api.scrapeJobs.list({ status: ['pending'] });
      expect(byStatusArray.jobs.map((j) => j.id)).toEqual([ids[4], ids[2], ids[0]]);
      expect(byStatusArray.jobs.every((j) => j.status === 'pending')).toBe(true);

      const byType = await api.scrapeJobs.list({ job_type: 'domain_scrape' });
      expect(byType.jobs.map((j) => j.id)).toEqual([ids[3], ids[1], ids[0]]);

      const combined = await api.scrapeJobs.list({ domain: 'b.com', status: 'pending', job_type: 'sitemap_crawl' });
      expect(combined.jobs.map((j) => j.id)).toEqual([ids[4]]);
      expect((await api.scrapeJobs.list({ domain: 'nowhere.com' })).jobs).toEqual([]);
    });

    test('orders by any allowed field and pages without repeats', async () => {
      const ids = await seed();
      const byPriority = await api.scrapeJobs.list({ order_by: 'priority', order_direction: 'asc' });
      expect(byPriority.jobs.map((j) => j.priority)).toEqual([1, 3, 5, 8, 10]);
      const byPriorityDesc = await api.scrapeJobs.list({ order_by: 'priority' });
      expect(byPriorityDesc.jobs.map((j) => j.priority)).toEqual([10, 8, 5, 3, 1]);
      const oldest = await api.scrapeJobs.list({ order_by: 'created_at', order_direction: 'asc' });
      expect(oldest.jobs.map((j) => j.id)).toEqual(ids);
      const byUpdated = await api.scrapeJobs.list({ order_by: 'updated_at', order_direction: 'desc', limit: 2 });
      expect(byUpdated.jobs.map((j) => j.id)).toEqual([ids[1], ids[3]]);

      const page1 = await api.scrapeJobs.list({ order_direction: 'asc', limit: 2, offset: 0 });
      const page2 = await api.scrapeJobs.list({ order_direction: 'asc', limit: 2, offset: 2 });
      const page3 = await api.scrapeJobs.list({ order_direction: 'asc', limit: 2, offset: 4 });
      expect(page1.pagination).toEqual({ offset: 0, limit: 2, total: 5, has_more: true });
      expect(page2.pagination).toEqual({ offset: 2, limit: 2, total: 5, has_more: true });
      expect(page3.pagination).toEqual({ offset: 4, limit: 2, total: 5, has_more: false });
      expect([...page1.jobs, ...page2.jobs, ...page3.jobs].map((j) => j.id)).toEqual(ids);
      const past = await api.scrapeJobs.list({ offset: 10 });
      expect(past).toEqual({ jobs: [], pagination: { offset: 10, limit: 50, total: 5, has_more: false } });
    });

    test.each([
      [{ status: 'pending,bogus' }, /^Invalid status: bogus/],
      [{ order_by: 'domain' }, /^Invalid order_by: "domain"/],
      [{ order_direction: 'sideways' }, /^Invalid order_direction/],
      [{ limit: 501 }, 'limit must be between 1 and 500'],
      [{ limit: 'ten' }, 'limit must be an integer'],
      [{ offset: -1 }, /^offset must be between 0/],
      [{ colour: 'red' }, 'Unknown query parameter: colour'],
    ])('refuses %j with BAD_REQUEST and a sentence', async (input, message) => {
      const error = await failure(api.scrapeJobs.list(input as never));
      expect(error.code).toBe('BAD_REQUEST');
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    });
  });

  describe('get', () => {
    test('returns the whole record', async () => {
      const created = await api.scrapeJobs.create({ domain: 'example.com', priority: 7 });
      const job = await api.scrapeJobs.get({ id: created.id.toUpperCase() });
      expect(job.id).toBe(created.id);
      expect(Object.keys(job).sort()).toEqual(
        [
          'id', 'domain_id', 'customer_config_id', 'domain', 'job_type', 'status', 'priority', 'retry_count', 'max_retries',
          'config', 'metadata', 'stats', 'started_at', 'completed_at', 'error_message', 'worker_id', 'claimed_at',
          'claim_expires_at', 'available_at', 'created_at', 'updated_at',
        ].sort(),
      );
    });

    test('NOT_FOUND "Job not found" for an unknown id', async () => {
      const error = await failure(api.scrapeJobs.get({ id: UNKNOWN_ID }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('Job not found');
      expect(domainCause(error).code).toBe('NOT_FOUND');
    });

    test.each(['not-a-uuid', "1' OR '1'='1", '6f1c1a52-6c0e-4d43-9b7a-1f2e3d4c5b6', ''])(
      'BAD_REQUEST with a sentence (not a JSON dump) for the malformed id %j',
      async (id) => {
        const error = await failure(api.scrapeJobs.get({ id }));
        expect(error.code).toBe('BAD_REQUEST');
        expect(error.message).toBe('Invalid job id: must be a UUID');
        expect(() => JSON.parse(error.message)).toThrow();
        const cause = domainCause(error);
        expect(cause.code).toBe('VALIDATION');
        expect(cause.details).toEqual([{ path: 'id', message: 'Invalid job id: must be a UUID' }]);
      },
    );

    test('malformed ids are refused the same way by every procedure that takes one, touching nothing', async () => {
      await api.scrapeJobs.create({ domain: 'example.com' });
      const before = await snapshot();
      const calls = [
        () => api.scrapeJobs.update({ id: 'nope', status: 'cancelled' }),
        () => api.scrapeJobs.cancel({ id: 'nope' }),
        () => api.scrapeJobs.retry({ id: 'nope' }),
        () => api.scrapeJobs.history({ id: 'nope' }),
        () => api.queue.heartbeat({ id: 'nope', claim_token: UNKNOWN_ID }),
      ];
      for (const call of calls) {
        const error = await failure(call());
        expect(error.code).toBe('BAD_REQUEST');
        expect(error.message).toBe('Invalid job id: must be a UUID');
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('update', () => {
    test('moves the status, returns { id, status, updated_at, stats }, and merges stats and metadata', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com', metadata: { source: 'api', tags: ['a', 'b'], nested: { keep: 1 } } });
      tick(5000);
      const started = iso(nowMs - 1000);
      const running = await api.scrapeJobs.update({ id, status: 'running', started_at: started, stats: { totalPages: 150, dataExtracted: { products: 1 } } });
      expect(running).toEqual({ id, status: 'running', updated_at: iso(nowMs), stats: { totalPages: 150, dataExtracted: { products: 1 } } });

      tick(5000);
      const progress = await api.scrapeJobs.update({
        id,
        stats: { pagesProcessed: 75, successfulRequests: 70, failedRequests: 5, dataExtracted: { images: 2 } },
        metadata: { notes: 'halfway', tags: ['c'], nested: { add: 2 } },
      });
      expect(progress.status).toBe('running');
      expect(progress.updated_at).toBe(iso(nowMs));
      // A progress update does not erase totalPages; nested objects merge, arrays are replaced.
      expect(progress.stats).toEqual({
        totalPages: 150,
        pagesProcessed: 75,
        successfulRequests: 70,
        failedRequests: 5,
        dataExtracted: { products: 1, images: 2 },
      });
      const job = await api.scrapeJobs.get({ id });
      expect(job.metadata).toEqual({ source: 'api', tags: ['c'], nested: { keep: 1, add: 2 }, notes: 'halfway' });
      expect(job.started_at).toBe(started);

      tick(5000);
      const completedAt = iso(nowMs);
      const done = await api.scrapeJobs.update({ id, status: 'completed', completed_at: completedAt, stats: { pagesProcessed: 100 } });
      expect(done.status).toBe('completed');
      expect(done.stats).toMatchObject({ totalPages: 150, pagesProcessed: 100 });
      const finished = await api.scrapeJobs.get({ id });
      expect(finished).toMatchObject({ status: 'completed', completed_at: completedAt, started_at: started, claim_expires_at: null });
    });

    test('an illegal transition is BAD_REQUEST with the contract sentence and changes nothing', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      await api.scrapeJobs.update({ id, status: 'running' });
      await api.scrapeJobs.update({ id, status: 'completed' });
      const before = await snapshot();
      const error = await failure(api.scrapeJobs.update({ id, status: 'running', metadata: { sneaky: true } }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe("Cannot transition from 'completed' to 'running'");
      expect(domainCause(error)).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'completed', to: 'running' } });
      expect(await snapshot()).toEqual(before);

      const { id: pendingId } = await api.scrapeJobs.create({ domain: 'other.com' });
      const skip = await failure(api.scrapeJobs.update({ id: pendingId, status: 'completed' }));
      expect(skip.message).toBe("Cannot transition from 'pending' to 'completed'");
    });

    test('a move to the same status is not a transition: it keeps the status, and the history records only the fields it changed', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      const before = await api.scrapeJobs.history({ id });
      const same = await api.scrapeJobs.update({ id, status: 'pending', metadata: { touched: true } });
      expect(same.status).toBe('pending');
      const after = await api.scrapeJobs.history({ id });
      expect(after.slice(0, -1)).toEqual(before);
      expect(after.at(-1)).toMatchObject({ action: 'updated', from_status: 'pending', to_status: 'pending', reason: null });
      expect(after.at(-1)!.changes).toEqual({ metadata: { old: {}, new: { touched: true } } });
      expect((await api.scrapeJobs.get({ id })).metadata).toEqual({ touched: true });
      // The same update again changes nothing, so it adds no history.
      await api.scrapeJobs.update({ id, status: 'pending', metadata: { touched: true } });
      expect(await api.scrapeJobs.history({ id })).toEqual(after);
    });

    test.each([
      [{ retry_count: -1 }, 'Invalid retry_count: must be a non-negative integer'],
      [{ retry_count: 1.5 }, 'Invalid retry_count: must be a non-negative integer'],
      [{ status: 'paused' }, /^Invalid status: "paused"/],
      [{ started_at: 'yesterday' }, 'Invalid started_at: must be an ISO-8601 timestamp'],
      [{ worker_id: 'me' }, 'Unknown or read-only field: worker_id'],
      [{}, 'No updatable fields given'],
      [{ completed_at: '2026-03-01T12:00:00.000Z' }, 'completed_at can only be set on a completed, failed or cancelled job'],
    ])('refuses %j with BAD_REQUEST and a sentence', async (fields, message) => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      const before = await snapshot();
      const error = await failure(api.scrapeJobs.update({ id, ...(fields as object) } as never));
      expect(error.code).toBe('BAD_REQUEST');
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });

    test('sets retry_count and error_message, and sanitises the message', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      await api.scrapeJobs.update({ id, status: 'running', retry_count: 2 });
      await api.scrapeJobs.update({ id, status: 'failed', error_message: 'Fetch of https://bob:secret@example.com/x failed\u0007' });
      const job = await api.scrapeJobs.get({ id });
      expect(job.retry_count).toBe(2);
      expect(job.error_message).toBe('Fetch of https://[redacted]@example.com/x failed');
      expect(job.completed_at).toBe(iso(nowMs));
      const cleared = await api.scrapeJobs.update({ id, error_message: null });
      expect(cleared.status).toBe('failed');
      expect((await api.scrapeJobs.get({ id })).error_message).toBeNull();
    });

    test('NOT_FOUND for an unknown job', async () => {
      const error = await failure(api.scrapeJobs.update({ id: UNKNOWN_ID, status: 'running' }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('Job not found');
    });
  });

  describe('cancel', () => {
    test('with a reason: "Cancelled via API: <reason>", exactly { id, status, error_message, completed_at }', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      tick();
      const cancelled = await api.scrapeJobs.cancel({ id, reason: 'User requested cancellation' });
      expect(cancelled).toEqual({ id, status: 'cancelled', error_message: 'Cancelled via API: User requested cancellation', completed_at: iso(nowMs) });
      expect(await api.scrapeJobs.get({ id })).toMatchObject(cancelled);
    });

    test('without a reason: "Cancelled via API"; a running, claimed job can be cancelled too', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      const claimed = await api.queue.claim({ worker_id: 'w1' });
      expect(claimed?.id).toBe(id);
      tick();
      const cancelled = await api.scrapeJobs.cancel({ id });
      expect(cancelled).toEqual({ id, status: 'cancelled', error_message: 'Cancelled via API', completed_at: iso(nowMs) });
      const job = await api.scrapeJobs.get({ id });
      expect(job).toMatchObject({ status: 'cancelled', claim_expires_at: null });
    });

    test('a failed job can be cancelled', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      await api.scrapeJobs.update({ id, status: 'running' });
      await api.scrapeJobs.update({ id, status: 'failed', error_message: 'boom' });
      expect((await api.scrapeJobs.cancel({ id, reason: 'giving up' })).status).toBe('cancelled');
    });

    test.each(['completed', 'cancelled'] as const)('a %s job answers CONFLICT with details and stays as it was', async (final) => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      if (final === 'completed') {
        await api.scrapeJobs.update({ id, status: 'running' });
        await api.scrapeJobs.update({ id, status: 'completed' });
      } else {
        await api.scrapeJobs.cancel({ id });
      }
      const before = await snapshot();
      const error = await failure(api.scrapeJobs.cancel({ id, reason: 'again' }));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toBe('Job not found or cannot be cancelled');
      expect(domainCause(error)).toMatchObject({ code: 'NOT_CANCELLABLE', details: `Job is already ${final}` });
      expect(await snapshot()).toEqual(before);
    });

    test('NOT_FOUND for an unknown job', async () => {
      const error = await failure(api.scrapeJobs.cancel({ id: UNKNOWN_ID }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('Job not found');
    });
  });

  describe('retry', () => {
    async function failedJob(domain = 'example.com', maxRetries?: number, error = 'Request timeout') {
      const { id } = await api.scrapeJobs.create({ domain, ...(maxRetries === undefined ? {} : { max_retries: maxRetries }) });
      await api.scrapeJobs.update({ id, status: 'running' });
      await api.scrapeJobs.update({ id, status: 'failed', error_message: error });
      return id;
    }

    test('a failed job goes back to pending, retry_count + 1, error cleared, metadata recorded, claimable at once', async () => {
      const id = await failedJob();
      tick();
      const job = await api.scrapeJobs.retry({ id, reason: 'Transient network error', retried_by: 'alice' });
      expect(job).toMatchObject({ id, status: 'pending', retry_count: 1, max_retries: 3, error_message: null, completed_at: null, started_at: null });
      expect(job.metadata).toMatchObject({
        retryReason: 'Transient network error',
        lastError: 'Request timeout',
        retriedAt: iso(nowMs),
        retriedBy: 'alice',
      });
      expect((await api.queue.peek())?.id).toBe(id);

      const defaults = await api.scrapeJobs.retry({ id: await failedJob('other.com') });
      expect(defaults.metadata).toMatchObject({ retryReason: 'Manual retry', retriedBy: 'api', lastError: 'Request timeout' });
    });

    test.each([
      // The contract's examples of a reason; a pending job may fairly be called either.
      ['pending', ['Job is not in a failed state', 'Job is currently in progress']],
      ['running', ['Job is currently in progress']],
      ['completed', ['Job already completed successfully']],
      ['cancelled', ['Job was cancelled']],
    ] as const)('a %s job: BAD_REQUEST "Job cannot be retried" with { currentStatus, reason }', async (status, reasons) => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      if (status === 'running' || status === 'completed') await api.scrapeJobs.update({ id, status: 'running' });
      if (status === 'completed') await api.scrapeJobs.update({ id, status: 'completed' });
      if (status === 'cancelled') await api.scrapeJobs.cancel({ id });
      const before = await snapshot();
      const error = await failure(api.scrapeJobs.retry({ id }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe('Job cannot be retried');
      const cause = domainCause(error);
      expect(cause).toMatchObject({ code: 'NOT_RETRYABLE', details: { currentStatus: status } });
      expect(reasons).toContain((cause.details as { reason: string }).reason);
      expect(await snapshot()).toEqual(before);
    });

    test('past max_retries: BAD_REQUEST "Job has exceeded maximum retry attempts" with the contract details', async () => {
      const id = await failedJob('example.com', 1, 'Request timeout');
      await api.scrapeJobs.retry({ id });
      await api.scrapeJobs.update({ id, status: 'running' });
      await api.scrapeJobs.update({ id, status: 'failed', error_message: 'Request timeout' });
      const before = await snapshot();
      const error = await failure(api.scrapeJobs.retry({ id }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe('Job has exceeded maximum retry attempts');
      expect(domainCause(error)).toMatchObject({
        code: 'MAX_RETRIES_EXCEEDED',
        details: { jobId: id, currentRetries: 1, maxRetries: 1, lastError: 'Request timeout', failurePattern: 'The same error in all 2 failures' },
      });
      expect(await snapshot()).toEqual(before);

      const never = await failedJob('zero.com', 0, 'DNS failure');
      const zero = domainCause(await failure(api.scrapeJobs.retry({ id: never })));
      expect(zero.details).toMatchObject({ currentRetries: 0, maxRetries: 0, lastError: 'DNS failure', failurePattern: 'The same error in all 1 failures' });
    });

    test('NOT_FOUND for an unknown job', async () => {
      const error = await failure(api.scrapeJobs.retry({ id: UNKNOWN_ID }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('Job not found');
    });
  });

  describe('history', () => {
    test('lists every change in order with action, actor and reason', async () => {
      const ops = createCaller(createContextInner({ manager, caller: { ...OPEN_CALLER, actor: 'user:ops' } }));
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      tick();
      await api.queue.claim({ worker_id: 'crawler-1' });
      tick();
      await api.scrapeJobs.update({ id, stats: { pagesProcessed: 3 } }); // an update, no transition
      await api.scrapeJobs.update({ id, status: 'failed', error_message: 'Connection reset' });
      tick();
      await ops.scrapeJobs.retry({ id, reason: 'Looks transient' });
      tick();
      await ops.scrapeJobs.cancel({ id, reason: 'Not needed any more' });

      const history = await api.scrapeJobs.history({ id });
      expect(history.map(({ action, from_status, to_status, actor, reason }) => ({ action, from_status, to_status, actor, reason }))).toEqual([
        { action: 'created', from_status: null, to_status: 'pending', actor: 'api', reason: 'Created' },
        { action: 'claimed', from_status: 'pending', to_status: 'running', actor: 'worker:crawler-1', reason: 'Claimed' },
        { action: 'updated', from_status: 'running', to_status: 'running', actor: 'api', reason: null },
        { action: 'updated', from_status: 'running', to_status: 'failed', actor: 'api', reason: 'Connection reset' },
        { action: 'retried', from_status: 'failed', to_status: 'pending', actor: 'user:ops', reason: 'Looks transient' },
        { action: 'cancelled', from_status: 'pending', to_status: 'cancelled', actor: 'user:ops', reason: 'Cancelled via API: Not needed any more' },
      ]);
      expect(history.map((h) => h.at)).toEqual([iso(START), iso(START + 1000), iso(START + 2000), iso(START + 2000), iso(START + 3000), iso(START + 4000)]);
      expect(history.every((h) => h.job_id === id)).toBe(true);
      const ids = history.map((h) => h.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    });

    test('NOT_FOUND for an unknown job', async () => {
      const error = await failure(api.scrapeJobs.history({ id: UNKNOWN_ID }));
      expect(error.code).toBe('NOT_FOUND');
    });
  });

  describe('queue', () => {
    test('peek shows the job a claim would take (priority desc, retry_count asc, created_at asc) and changes nothing', async () => {
      expect(await api.queue.peek()).toBeNull();
      // Same priority as the two below and created first, but retried once: goes after them.
      const retried = await api.scrapeJobs.create({ domain: 'retried.com', priority: 9 });
      await api.scrapeJobs.update({ id: retried.id, status: 'running' });
      await api.scrapeJobs.update({ id: retried.id, status: 'failed', error_message: 'x' });
      await api.scrapeJobs.retry({ id: retried.id });
      tick();
      const low = await api.scrapeJobs.create({ domain: 'low.com', priority: 2 });
      tick();
      const highOld = await api.scrapeJobs.create({ domain: 'high-old.com', priority: 9 });
      tick();
      const highNew = await api.scrapeJobs.create({ domain: 'high-new.com', priority: 9 });
      tick();
      const single = await api.scrapeJobs.create({ domain: 'single.com', job_type: 'single_page', priority: 1 });

      const before = await snapshot();
      const peeked = await api.queue.peek();
      expect(peeked?.id).toBe(highOld.id);
      expect(peeked?.status).toBe('pending');
      expect(peeked).not.toHaveProperty('claim_token');
      expect(await snapshot()).toEqual(before);
      expect((await api.queue.peek({ job_types: ['single_page'] }))?.id).toBe(single.id);

      const order: string[] = [];
      for (let i = 0; i < 5; i++) order.push((await api.queue.claim({ worker_id: `w${i}` }))!.id);
      expect(order).toEqual([highOld.id, highNew.id, retried.id, low.id, single.id]);
      expect(await api.queue.claim({ worker_id: 'w9' })).toBeNull();
      expect(await api.queue.peek()).toBeNull();
    });

    test('claim makes the job running with worker, claim time, start time, metadata.claimedBy and a claim token', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com', metadata: { source: 'api' } });
      tick(60_000);
      const claimed = await api.queue.claim({ worker_id: 'crawler-7' });
      expect(claimed).toMatchObject({
        id,
        status: 'running',
        worker_id: 'crawler-7',
        claimed_at: iso(nowMs),
        started_at: iso(nowMs),
        claim_expires_at: iso(nowMs + DEFAULT_CLAIM_TIMEOUT_MS),
        metadata: { source: 'api', claimedBy: 'crawler-7' },
      });
      expect(claimed!.claim_token).toMatch(/^[0-9a-f-]{36}$/);
      const stored = await api.scrapeJobs.get({ id });
      expect(stored).toMatchObject({ status: 'running', worker_id: 'crawler-7' });
      expect(stored).not.toHaveProperty('claim_token');
    });

    test('claim needs a worker id: from the input, else from the context', async () => {
      await api.scrapeJobs.create({ domain: 'example.com' });
      const before = await snapshot();
      for (const call of [() => api.queue.claim(), () => api.queue.claim({})]) {
        const error = await failure(call());
        expect(error.code).toBe('BAD_REQUEST');
        expect(error.message).toBe('worker_id is required (body worker_id or the X-Worker-ID header)');
      }
      const bad = await failure(api.queue.claim({ worker_id: 'bad worker!' }));
      expect(bad.code).toBe('BAD_REQUEST');
      expect(bad.message).toBe('worker_id may hold letters, digits and . : @ _ - only');
      expect(await snapshot()).toEqual(before);

      const worker = createCaller(createContextInner({ manager, caller: callerFor({ principal: OPEN_PRINCIPAL, workerId: 'ctx-worker' }) }));
      const claimed = await worker.queue.claim();
      expect(claimed).toMatchObject({ worker_id: 'ctx-worker', metadata: { claimedBy: 'ctx-worker' } });
    });

    test('claim honours job_types', async () => {
      await api.scrapeJobs.create({ domain: 'a.com', priority: 10 });
      const sitemap = await api.scrapeJobs.create({ domain: 'b.com', job_type: 'sitemap_crawl', priority: 1 });
      expect(await api.queue.claim({ worker_id: 'w', job_types: ['content_update'] })).toBeNull();
      expect((await api.queue.claim({ worker_id: 'w', job_types: ['sitemap_crawl', 'single_page'] }))?.id).toBe(sitemap.id);
    });

    test('heartbeat extends claim_expires_at from now and merges stats; a wrong token is CLAIM_LOST', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      const claimed = (await api.queue.claim({ worker_id: 'w1' }))!;
      await api.queue.heartbeat({ id, claim_token: claimed.claim_token, stats: { totalPages: 40 } });
      tick(7 * 60_000);
      const beat = await api.queue.heartbeat({ id, claim_token: claimed.claim_token, stats: { pagesProcessed: 12 } });
      expect(beat).toEqual({ id, status: 'running', claim_expires_at: iso(nowMs + DEFAULT_CLAIM_TIMEOUT_MS), updated_at: iso(nowMs) });
      expect(Date.parse(beat.claim_expires_at!)).toBeGreaterThan(Date.parse(claimed.claim_expires_at!));
      const job = await api.scrapeJobs.get({ id });
      expect(job.stats).toEqual({ totalPages: 40, pagesProcessed: 12 });
      expect(job.claim_expires_at).toBe(beat.claim_expires_at);

      // Past the original expiry, the extended claim still holds.
      tick(5 * 60_000);
      expect(Date.parse(claimed.claim_expires_at!)).toBeLessThan(nowMs);
      expect((await api.queue.heartbeat({ id, claim_token: claimed.claim_token })).status).toBe('running');

      const wrong = await failure(api.queue.heartbeat({ id, claim_token: UNKNOWN_ID }));
      expect(wrong.code).toBe('CONFLICT');
      expect(domainCause(wrong)).toMatchObject({ code: 'CLAIM_LOST', details: { currentStatus: 'running', reason: 'The job was claimed again by another worker' } });

      // Silent past the claim timeout: the claim has expired.
      tick(DEFAULT_CLAIM_TIMEOUT_MS + 1);
      const expired = await failure(api.queue.heartbeat({ id, claim_token: claimed.claim_token }));
      expect(domainCause(expired)).toMatchObject({ code: 'CLAIM_LOST', details: { reason: 'The claim expired' } });
    });

    test('heartbeat after a cancel is CONFLICT with domainCode CLAIM_LOST and does not revive the job', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      const claimed = (await api.queue.claim({ worker_id: 'w1' }))!;
      await api.scrapeJobs.cancel({ id, reason: 'stop' });
      const before = await snapshot();
      const error = await failure(api.queue.heartbeat({ id, claim_token: claimed.claim_token, stats: { pagesProcessed: 99 } }));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toBe('Claim is no longer held by this worker');
      expect(domainCause(error)).toMatchObject({ code: 'CLAIM_LOST', details: { currentStatus: 'cancelled', reason: 'The job is cancelled' } });
      expect(await snapshot()).toEqual(before);
      // A late fenced write from the worker cannot complete it either.
      const late = await failure(api.scrapeJobs.update({ id, status: 'completed', claim_token: claimed.claim_token }));
      expect(domainCause(late).code).toBe('CLAIM_LOST');
      expect((await api.scrapeJobs.get({ id })).status).toBe('cancelled');
    });

    test('heartbeat of an unknown job is NOT_FOUND', async () => {
      const error = await failure(api.queue.heartbeat({ id: UNKNOWN_ID, claim_token: UNKNOWN_ID }));
      expect(error.code).toBe('NOT_FOUND');
    });

    test('a worker that completes through its claim frees the claim', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      const claimed = (await api.queue.claim({ worker_id: 'w1' }))!;
      tick(30_000);
      const done = await api.scrapeJobs.update({ id, status: 'completed', claim_token: claimed.claim_token, stats: { pagesProcessed: 10 } });
      expect(done.status).toBe('completed');
      const job = await api.scrapeJobs.get({ id });
      expect(job).toMatchObject({ status: 'completed', claim_expires_at: null, completed_at: iso(nowMs), started_at: claimed.started_at });
      const history = await api.scrapeJobs.history({ id });
      expect(history.at(-1)).toMatchObject({ from_status: 'running', to_status: 'completed', actor: 'worker:w1' });
    });
  });

  describe('text the database cannot store', () => {
    const NUL_SENTENCE = 'Text must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates';
    test.each([
      ['a metadata value with NUL', (c: Caller) => c.scrapeJobs.create({ domain: 'nul.com', metadata: { note: 'a\u0000b' } })],
      ['a metadata key with NUL', (c: Caller) => c.scrapeJobs.create({ domain: 'nul.com', metadata: { ['k\u0000']: 1 } })],
      ['a metadata value with an unpaired surrogate', (c: Caller) => c.scrapeJobs.create({ domain: 'nul.com', metadata: { note: 'x\ud800' } })],
      ['a userAgent with NUL', (c: Caller) => c.scrapeJobs.create({ domain: 'nul.com', config: { userAgent: 'Bot\u0000' } })],
      ['a stats patch with NUL', (c: Caller, id: string) => c.scrapeJobs.update({ id, stats: { errors: [{ url: 'https://x.com/\u0000', error: 'e', timestamp: 't' }] } })],
      ['a metadata patch with NUL', (c: Caller, id: string) => c.scrapeJobs.update({ id, status: 'running', metadata: { n: '\u0000' } })],
      ['a list filter with NUL', (c: Caller) => c.scrapeJobs.list({ domain: 'a\u0000.com' })],
      ['a stats filter with NUL', (c: Caller) => c.scrapeJobs.stats({ domain: 'a\u0000.com' })],
    ] as const)('%s is BAD_REQUEST with a sentence, not INTERNAL_SERVER_ERROR, and changes nothing', async (_name, call) => {
      const { id } = await api.scrapeJobs.create({ domain: 'existing.com' });
      const before = await snapshot();
      const error = await failure(call(api, id));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe(NUL_SENTENCE);
      expect(domainCause(error).code).toBe('VALIDATION');
      expect(await snapshot()).toEqual(before);
    });

    test('a retry with NUL (or any control character) in retried_by records the name without it', async () => {
      const { id } = await api.scrapeJobs.create({ domain: 'example.com' });
      await api.scrapeJobs.update({ id, status: 'running' });
      await api.scrapeJobs.update({ id, status: 'failed', error_message: 'x' });
      const job = await api.scrapeJobs.retry({ id, retried_by: 'bob\u0000\u001b' });
      expect(job.status).toBe('pending');
      expect(job.metadata.retriedBy).toBe('bob');
    });
  });

  describe('stats', () => {
    test('with no jobs every number is 0', async () => {
      const stats = await api.scrapeJobs.stats();
      expect(stats.domain).toBe('all_domains');
      expect(stats.timestamp).toBe(iso(nowMs));
      expect(stats.overview).toEqual({ totalJobs: 0, completedJobs: 0, failedJobs: 0, pendingJobs: 0, runningJobs: 0, cancelledJobs: 0, successRate: 0, avgCompletionTime: 0 });
      expect(Object.values(stats.statusBreakdown)).toEqual(JOB_STATUSES.map(() => 0));
      expect(Object.keys(stats.priorityDistribution)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect(stats.performance).toEqual({ avgPagesPerJob: 0, totalPagesProcessed: 0, avgProcessingSpeed: 0, successfulRequests: 0, failedRequests: 0, requestSuccessRate: 0 });
      expect(stats.retryAnalysis).toEqual({ jobsWithRetries: 0, totalRetries: 0, avgRetriesPerFailedJob: 0, retrySuccessRate: 0 });
      expect(stats.errorAnalysis).toEqual({ commonErrors: [], errorsByDomain: [] });
      expect(stats).not.toHaveProperty('jobHistory');
    });

    test('every figure equals a direct computation over the jobs made here', async () => {
      /** What the test knows about each job it made, kept in step with every call. */
      interface Model {
        id: string;
        domain: string;
        job_type: JobType;
        priority: number;
        status: JobStatus;
        retry_count: number;
        created: number;
        started: number | null;
        completed: number | null;
        error: string | null;
        stats: { pagesProcessed?: number; successfulRequests?: number; failedRequests?: number };
      }
      const model: Model[] = [];

      interface Plan {
        domain: string;
        job_type?: JobType;
        priority?: number;
        /** Seconds after creation before it starts; undefined: never starts. */
        wait?: number;
        /** Run seconds, then end in `end`. */
        run?: number;
        end: JobStatus;
        error?: string;
        stats?: Model['stats'];
        /** Fail and retry this many times before the final run. */
        retries?: number;
        /** Created this many days before now. */
        ageDays?: number;
      }
      const plans: Plan[] = [
        { domain: 'alpha.com', priority: 7, wait: 10, run: 120, end: 'completed', stats: { pagesProcessed: 100, successfulRequests: 95, failedRequests: 5 } },
        { domain: 'alpha.com', job_type: 'sitemap_crawl', priority: 5, wait: 20, run: 60, end: 'completed', stats: { pagesProcessed: 40, successfulRequests: 40, failedRequests: 0 } },
        { domain: 'alpha.com', job_type: 'single_page', priority: 5, wait: 4, run: 30, end: 'failed', error: 'Request timeout', stats: { pagesProcessed: 3, successfulRequests: 1, failedRequests: 2 } },
        { domain: 'beta.com', priority: 3, wait: 8, run: 45, end: 'failed', error: 'Request timeout', stats: { pagesProcessed: 0, failedRequests: 7 } },
        { domain: 'beta.com', job_type: 'product_catalog', priority: 9, wait: 2, run: 90, end: 'completed', retries: 2, stats: { pagesProcessed: 250, successfulRequests: 240, failedRequests: 10 } },
        { domain: 'gamma.com', job_type: 'content_update', priority: 1, wait: 6, run: 15, end: 'failed', error: 'DNS lookup failed', retries: 1 },
        { domain: 'gamma.com', priority: 10, end: 'cancelled' },
        { domain: 'gamma.com', job_type: 'single_page', priority: 2, wait: 3, run: 12, end: 'cancelled', stats: { pagesProcessed: 5 } },
        { domain: 'delta.com', priority: 4, wait: 30, end: 'running', stats: { pagesProcessed: 7, successfulRequests: 7 } },
        { domain: 'delta.com', job_type: 'sitemap_crawl', priority: 6, end: 'pending' },
        { domain: 'recent.com', job_type: 'single_page', priority: 5, wait: 2, run: 20, end: 'completed', ageDays: 3, stats: { pagesProcessed: 20, successfulRequests: 20 } },
        { domain: 'old.com', priority: 8, wait: 5, run: 200, end: 'completed', ageDays: 10, stats: { pagesProcessed: 1000, successfulRequests: 900, failedRequests: 100 } },
        { domain: 'older.com', priority: 8, wait: 1, run: 10, end: 'failed', error: 'Forbidden', ageDays: 40 },
      ];

      const finalNow = START;
      for (const plan of plans) {
        const age = (plan.ageDays ?? 0) * 86_400_000;
        nowMs = finalNow - age - 3_600_000; // an hour of activity, all within the window
        const created = await api.scrapeJobs.create({ domain: plan.domain, job_type: plan.job_type ?? 'domain_scrape', priority: plan.priority ?? 5 });
        const m: Model = {
          id: created.id,
          domain: plan.domain,
          job_type: created.job_type,
          priority: created.priority,
          status: 'pending',
          retry_count: 0,
          created: nowMs,
          started: null,
          completed: null,
          error: null,
          stats: {},
        };
        model.push(m);
        for (let r = 0; r < (plan.retries ?? 0); r++) {
          tick(1000);
          await api.scrapeJobs.update({ id: m.id, status: 'running', started_at: iso(nowMs) });
          tick(1000);
          await api.scrapeJobs.update({ id: m.id, status: 'failed', error_message: 'Earlier failure' });
          await api.scrapeJobs.retry({ id: m.id });
          m.retry_count++;
        }
        if (plan.wait !== undefined) {
          m.started = m.created + plan.wait * 1000 + (plan.retries ?? 0) * 2000;
          nowMs = m.started;
          await api.scrapeJobs.update({ id: m.id, status: 'running', started_at: iso(m.started), ...(plan.stats ? { stats: plan.stats } : {}) });
          m.status = 'running';
          m.stats = { ...plan.stats };
        }
        if (plan.end === 'cancelled') {
          tick((plan.run ?? 1) * 1000);
          await api.scrapeJobs.cancel({ id: m.id, reason: 'not needed' });
          m.completed = nowMs;
          m.status = 'cancelled';
        } else if (plan.end === 'completed' || plan.end === 'failed') {
          m.completed = m.started! + plan.run! * 1000;
          nowMs = m.completed + 500;
          await api.scrapeJobs.update({
            id: m.id,
            status: plan.end,
            completed_at: iso(m.completed),
            ...(plan.error ? { error_message: plan.error } : {}),
          });
          m.status = plan.end;
          m.error = plan.error ?? null;
        }
      }
      nowMs = finalNow;

      // The model is what is stored.
      for (const m of model) {
        const job = await api.scrapeJobs.get({ id: m.id });
        expect({ status: job.status, retry_count: job.retry_count, started_at: job.started_at, completed_at: job.completed_at, created_at: job.created_at, error: job.status === 'failed' ? job.error_message : m.error, stats: job.stats }).toEqual({
          status: m.status,
          retry_count: m.retry_count,
          started_at: m.started === null ? null : iso(m.started),
          completed_at: m.completed === null ? null : iso(m.completed),
          created_at: iso(m.created),
          error: m.error,
          stats: m.stats,
        });
      }

      function expectedFor(jobs: Model[]) {
        const count = (s: JobStatus) => jobs.filter((j) => j.status === s).length;
        const completed = count('completed');
        const failed = count('failed');
        const cancelled = count('cancelled');
        const duration = (j: Model) => (j.completed! - j.started!) / 1000;
        const finishedStarted = jobs.filter((j) => j.completed !== null && j.started !== null);
        const durations = finishedStarted.map(duration);
        const started = jobs.filter((j) => j.started !== null);
        const pages = (j: Model) => j.stats.pagesProcessed ?? 0;
        const withPages = jobs.filter((j) => j.stats.pagesProcessed !== undefined);
        const successful = sum(jobs.map((j) => j.stats.successfulRequests ?? 0));
        const failedRequests = sum(jobs.map((j) => j.stats.failedRequests ?? 0));
        const retried = jobs.filter((j) => j.retry_count > 0);
        const everFailed = jobs.filter((j) => j.retry_count > 0 || j.status === 'failed');
        const trend = (days: number) => {
          const since = nowMs - days * 86_400_000;
          const done = jobs.filter((j) => j.completed !== null && j.completed >= since);
          const doneOk = done.filter((j) => j.status === 'completed').length;
          return { jobsCreated: jobs.filter((j) => j.created >= since).length, jobsCompleted: doneOk, successRate: percent(doneOk, done.length) };
        };
        const failedWithError = jobs.filter((j) => j.status === 'failed' && j.error !== null);
        const errorCounts = new Map<string, number>();
        for (const j of failedWithError) errorCounts.set(j.error!, (errorCounts.get(j.error!) ?? 0) + 1);
        const domains = [...new Set(jobs.map((j) => j.domain))];
        return {
          overview: {
            totalJobs: jobs.length,
            completedJobs: completed,
            failedJobs: failed,
            pendingJobs: count('pending'),
            runningJobs: count('running'),
            cancelledJobs: cancelled,
            successRate: percent(completed, completed + failed + cancelled),
            avgCompletionTime: round2(avg(finishedStarted.filter((j) => j.status === 'completed').map(duration))),
          },
          statusBreakdown: Object.fromEntries(JOB_STATUSES.map((s) => [s, count(s)])),
          jobTypeBreakdown: Object.fromEntries(JOB_TYPES.map((t) => [t, jobs.filter((j) => j.job_type === t).length])),
          priorityDistribution: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i + 1), jobs.filter((j) => j.priority === i + 1).length])),
          performance: {
            avgPagesPerJob: withPages.length > 0 ? round2(sum(withPages.map(pages)) / withPages.length) : 0,
            totalPagesProcessed: sum(jobs.map(pages)),
            avgProcessingSpeed: sum(durations) > 0 ? round2(sum(finishedStarted.map(pages)) / sum(durations)) : 0,
            successfulRequests: successful,
            failedRequests,
            requestSuccessRate: percent(successful, successful + failedRequests),
          },
          timeMetrics: {
            avgJobDuration: round2(avg(durations)),
            medianJobDuration: round2(median(durations)),
            fastestJob: durations.length > 0 ? Math.min(...durations) : 0,
            slowestJob: durations.length > 0 ? Math.max(...durations) : 0,
            avgWaitTime: round2(avg(started.map((j) => (j.started! - j.created) / 1000))),
          },
          retryAnalysis: {
            jobsWithRetries: retried.length,
            totalRetries: sum(jobs.map((j) => j.retry_count)),
            avgRetriesPerFailedJob: everFailed.length > 0 ? round2(sum(jobs.map((j) => j.retry_count)) / everFailed.length) : 0,
            retrySuccessRate: percent(retried.filter((j) => j.status === 'completed').length, retried.length),
          },
          trends: { last24Hours: trend(1), last7Days: trend(7), last30Days: trend(30) },
          errorAnalysis: {
            commonErrors: [...errorCounts]
              .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
              .map(([error, n]) => ({ error, count: n, percentage: percent(n, failedWithError.length) })),
            errorsByDomain: domains
              .map((domain) => {
                const of = jobs.filter((j) => j.domain === domain);
                const errorCount = of.filter((j) => j.status === 'failed').length;
                return { domain, errorCount, totalJobs: of.length, errorRate: percent(errorCount, of.length) };
              })
              .filter((d) => d.errorCount > 0)
              .sort((a, b) => b.errorCount - a.errorCount || (a.domain < b.domain ? -1 : 1)),
          },
        };
      }

      const all = await api.scrapeJobs.stats();
      const expected = expectedFor(model);
      expect(all.domain).toBe('all_domains');
      expect(all.timestamp).toBe(iso(nowMs));
      expect(all).toMatchObject(expected);
      expect(all.errorAnalysis).toEqual(expected.errorAnalysis);
      // Guard against a vacuous model: the data exercises every block.
      expect(expected.overview).toMatchObject({ completedJobs: 5, failedJobs: 4, cancelledJobs: 2, pendingJobs: 1, runningJobs: 1 });
      expect(expected.retryAnalysis.jobsWithRetries).toBe(2);
      expect(new Set(Object.values(expected.trends).map((t) => t.jobsCreated)).size).toBe(3);

      const alpha = await api.scrapeJobs.stats({ domain: 'ALPHA.com' });
      const alphaJobs = model.filter((j) => j.domain === 'alpha.com');
      expect(alpha.domain).toBe('alpha.com');
      expect(alpha).toMatchObject(expectedFor(alphaJobs));
      expect(alpha.jobHistory?.map((h) => h.id).sort()).toEqual(alphaJobs.map((j) => j.id).sort());
      for (const h of alpha.jobHistory ?? []) {
        const m = alphaJobs.find((j) => j.id === h.id)!;
        expect(h).toMatchObject({
          status: m.status,
          job_type: m.job_type,
          duration: m.started !== null && m.completed !== null ? (m.completed - m.started) / 1000 : null,
          pagesProcessed: m.stats.pagesProcessed ?? 0,
        });
      }
      expect(Array.isArray(alpha.recommendations)).toBe(true);

      const nothing = await api.scrapeJobs.stats({ domain: 'unknown.example' });
      expect(nothing.overview.totalJobs).toBe(0);
      expect(nothing.jobHistory).toEqual([]);
      expect(nothing.recommendations).toEqual([]);
    });

    test('refuses unknown parameters with a sentence', async () => {
      const error = await failure(api.scrapeJobs.stats({ range: '7d' } as never));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe('Unknown query parameter: range');
    });
  });
});
