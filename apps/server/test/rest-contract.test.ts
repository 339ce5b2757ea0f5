/**
 * The REST contract, example by example: every request of the user's reference
 * (individual-scrape-job-api.md) and of contract.md as a real HTTP call against a real
 * server, on PGlite and on PostgreSQL. Time is a controlled clock, so timestamps, retry
 * delays and claim expiries are exact.
 */
import { DEFAULT_USER_AGENT, JOB_STATUSES, JOB_TYPES } from '@scrape-jobs/domain';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from './test-server.ts';
import { skipPostgres } from '@scrape-jobs/db/testing';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const START = Date.parse('2025-06-01T08:00:00.000Z');

describe.each(['pglite', 'postgres'] as const)('REST contract on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let server: TestServer;
  let now = START;
  const clock = () => new Date(now);
  const advance = (ms: number) => {
    now += ms;
  };
  const nowIso = () => new Date(now).toISOString();

  beforeAll(async () => {
    // random 0.5 makes the retry jitter exactly zero: 60 s, 300 s, 900 s.
    server = await startTestServer(kind, { clock, random: () => 0.5 });
  });
  afterAll(async () => {
    await server?.close();
  });

  // ---- small helpers -------------------------------------------------------------------

  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    api(server.url, method, path, body, headers);

  let domainCounter = 0;
  /** A domain no other test uses, so the one-active-job rule and filters stay local. */
  const freshDomain = (label: string) => `${label}-${++domainCounter}.test`;

  async function createJob(body: Record<string, unknown>): Promise<any> {
    const r = await call('POST', '/api/scrape-jobs', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.data;
  }

  async function getJob(id: string): Promise<any> {
    const r = await call('GET', `/api/scrape-jobs/${id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.data;
  }

  async function putJob(id: string, body: Record<string, unknown>, status = 200): Promise<any> {
    const r = await call('PUT', `/api/scrape-jobs/${id}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    return r.body;
  }

  /** A job moved to `failed` through running, as a worker would report it. */
  async function failedJob(domain: string, error = 'Request timeout', extra: Record<string, unknown> = {}): Promise<string> {
    const { id } = await createJob({ domain, ...extra });
    await putJob(id, { status: 'running' });
    await putJob(id, { status: 'failed', error_message: error });
    return id;
  }

  /** Cancels every pending or running job, so a queue test sees only its own jobs. */
  async function emptyQueue(): Promise<void> {
    const r = await call('GET', '/api/scrape-jobs?status=pending,running&limit=500');
    expect(r.status).toBe(200);
    for (const job of r.body.data) {
      const d = await call('DELETE', `/api/scrape-jobs/${job.id}?reason=queue%20test%20cleanup`);
      expect(d.status).toBe(200);
    }
  }

  async function claim(worker: string): Promise<any> {
    const r = await call('POST', '/api/scrape-jobs/next', undefined, { 'X-Worker-ID': worker });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  async function history(id: string): Promise<any[]> {
    const r = await call('GET', `/api/scrape-jobs/${id}/history`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.success).toBe(true);
    return r.body.data;
  }

  // ---- POST /api/scrape-jobs -----------------------------------------------------------

  describe('POST /api/scrape-jobs', () => {
    test('201 with exactly the created view and the sentence; defaults filled in', async () => {
      const domain = freshDomain('create');
      const r = await call('POST', '/api/scrape-jobs', { domain });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        success: true,
        data: { id: expect.any(String), domain, job_type: 'domain_scrape', status: 'pending', priority: 5, created_at: nowIso() },
        message: 'Scrape job created successfully',
      });
      expect(Object.keys(r.body.data).sort()).toEqual(['created_at', 'domain', 'id', 'job_type', 'priority', 'status']);

      const job = await getJob(r.body.data.id);
      expect(job).toMatchObject({ retry_count: 0, max_retries: 3, metadata: {}, stats: {}, domain_id: null, customer_config_id: null });
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
    });

    test('a partial config keeps what was given and fills the rest', async () => {
      const { id } = await createJob({ domain: freshDomain('partial'), config: { maxPages: 150, userAgent: 'CustomBot/1.0' } });
      const job = await getJob(id);
      expect(job.config).toEqual({
        depth: 3,
        maxPages: 150,
        timeout: 30000,
        respectRobots: true,
        includeSubdomains: false,
        userAgent: 'CustomBot/1.0',
        delay: 1000,
        retryOnFailure: true,
      });
    });

    test('the domain is normalised: protocol and trailing slash removed, lower-cased', async () => {
      const label = freshDomain('Norm');
      const data = await createJob({ domain: `https://${label.toUpperCase()}/` });
      expect(data.domain).toBe(label.toLowerCase());
    });

    test('409 when a pending job exists for the domain (pasted URL too), then the running variant', async () => {
      // example.com is used only here and cancelled at the end.
      const first = await createJob({ domain: 'example.com' });
      for (const domain of ['example.com', 'https://Example.com/']) {
        const dup = await call('POST', '/api/scrape-jobs', { domain });
        expect(dup.status).toBe(409);
        expect(dup.body).toMatchObject({ success: false, error: 'A pending job already exists for domain: example.com' });
      }

      const single = await createJob({ domain: 'example.com', job_type: 'single_page' }); // other job type: allowed
      await putJob(single.id, { status: 'running' });
      const dup = await call('POST', '/api/scrape-jobs', { domain: 'example.com', job_type: 'single_page' });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ success: false, error: 'A running job already exists for domain: example.com' });

      for (const id of [first.id, single.id]) expect((await call('DELETE', `/api/scrape-jobs/${id}`)).status).toBe(200);
      // Once the active jobs are gone the domain is free again.
      const again = await createJob({ domain: 'example.com' });
      expect((await call('DELETE', `/api/scrape-jobs/${again.id}`)).status).toBe(200);
    });
  });

  // ---- GET /api/scrape-jobs ------------------------------------------------------------

  describe('GET /api/scrape-jobs', () => {
    test('filters by domain, by a comma list of statuses and by job_type', async () => {
      const domain = freshDomain('filter');
      const pending = await createJob({ domain, job_type: 'domain_scrape' });
      const running = await createJob({ domain, job_type: 'single_page' });
      await putJob(running.id, { status: 'running' });
      const done = await createJob({ domain, job_type: 'sitemap_crawl' });
      await putJob(done.id, { status: 'running' });
      await putJob(done.id, { status: 'completed' });
      await createJob({ domain: freshDomain('filter-other'), job_type: 'single_page' });

      const ids = (r: { body: any }) => r.body.data.map((j: any) => j.id).sort();

      const byDomain = await call('GET', `/api/scrape-jobs?domain=${domain}`);
      expect(byDomain.status).toBe(200);
      expect(byDomain.body.success).toBe(true);
      expect(ids(byDomain)).toEqual([pending.id, running.id, done.id].sort());
      expect(byDomain.body.pagination).toEqual({ offset: 0, limit: 50, total: 3, has_more: false });

      const active = await call('GET', `/api/scrape-jobs?domain=${domain}&status=pending,running`);
      expect(ids(active)).toEqual([pending.id, running.id].sort());
      expect(active.body.data.every((j: any) => ['pending', 'running'].includes(j.status))).toBe(true);

      const completed = await call('GET', `/api/scrape-jobs?domain=${domain}&status=completed`);
      expect(ids(completed)).toEqual([done.id]);

      const singlePage = await call('GET', `/api/scrape-jobs?domain=${domain}&job_type=single_page`);
      expect(ids(singlePage)).toEqual([running.id]);

      const everywhere = await call('GET', '/api/scrape-jobs?job_type=single_page&limit=500');
      expect(everywhere.body.data.length).toBeGreaterThanOrEqual(2);
      expect(everywhere.body.data.every((j: any) => j.job_type === 'single_page')).toBe(true);

      const none = await call('GET', `/api/scrape-jobs?domain=${domain}&status=failed`);
      expect(none.body).toEqual({ success: true, data: [], pagination: { offset: 0, limit: 50, total: 0, has_more: false } });
    });

    test('pagination: offset, limit, total and has_more; pages neither repeat nor skip', async () => {
      const domain = freshDomain('page');
      const created: string[] = [];
      for (const job_type of JOB_TYPES) {
        advance(1000);
        created.push((await createJob({ domain, job_type })).id);
      }
      const newestFirst = [...created].reverse();

      const page1 = await call('GET', `/api/scrape-jobs?domain=${domain}&limit=2`);
      expect(page1.body.pagination).toEqual({ offset: 0, limit: 2, total: 5, has_more: true });
      const page2 = await call('GET', `/api/scrape-jobs?domain=${domain}&limit=2&offset=2`);
      expect(page2.body.pagination).toEqual({ offset: 2, limit: 2, total: 5, has_more: true });
      const page3 = await call('GET', `/api/scrape-jobs?domain=${domain}&limit=2&offset=4`);
      expect(page3.body.pagination).toEqual({ offset: 4, limit: 2, total: 5, has_more: false });
      const all = [...page1.body.data, ...page2.body.data, ...page3.body.data].map((j: any) => j.id);
      expect(all).toEqual(newestFirst);

      const beyond = await call('GET', `/api/scrape-jobs?domain=${domain}&limit=2&offset=10`);
      expect(beyond.body).toEqual({ success: true, data: [], pagination: { offset: 10, limit: 2, total: 5, has_more: false } });
    });

    test('ordering by created_at, updated_at, status and priority, both directions', async () => {
      const domain = freshDomain('order');
      // Five jobs, one per job type, created a second apart with distinct priorities.
      const jobs: Array<{ id: string; priority: number }> = [];
      const priorities = [3, 9, 1, 7, 5];
      for (const [i, job_type] of JOB_TYPES.entries()) {
        advance(1000);
        jobs.push({ id: (await createJob({ domain, job_type, priority: priorities[i] })).id, priority: priorities[i]! });
      }
      // Updated in another order than created, and into different statuses.
      const updateOrder = [3, 0, 4, 1, 2];
      const statusOf = ['running', 'completed', 'pending', 'cancelled', 'failed'];
      for (const i of updateOrder) {
        advance(1000);
        const id = jobs[i]!.id;
        const target = statusOf[i];
        if (target === 'pending') await putJob(id, { metadata: { touched: true } });
        else if (target === 'cancelled') expect((await call('DELETE', `/api/scrape-jobs/${id}`)).status).toBe(200);
        else {
          await putJob(id, { status: 'running' });
          if (target !== 'running') await putJob(id, { status: target });
        }
      }

      const list = async (query: string) => {
        const r = await call('GET', `/api/scrape-jobs?domain=${domain}&${query}`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return r.body.data as any[];
      };
      const ids = (rows: any[]) => rows.map((j) => j.id);
      const byIndex = (indexes: number[]) => indexes.map((i) => jobs[i]!.id);

      // Default: created_at desc.
      expect(ids(await list(''))).toEqual(byIndex([4, 3, 2, 1, 0]));
      expect(ids(await list('order_by=created_at&order_direction=desc'))).toEqual(byIndex([4, 3, 2, 1, 0]));
      expect(ids(await list('order_by=created_at&order_direction=asc'))).toEqual(byIndex([0, 1, 2, 3, 4]));
      expect(ids(await list('order_by=updated_at&order_direction=asc'))).toEqual(byIndex(updateOrder));
      expect(ids(await list('order_by=updated_at'))).toEqual(byIndex([...updateOrder].reverse()));
      // priorities [3, 9, 1, 7, 5] → desc 9, 7, 5, 3, 1
      expect(ids(await list('order_by=priority'))).toEqual(byIndex([1, 3, 4, 0, 2]));
      expect(ids(await list('order_by=priority&order_direction=asc'))).toEqual(byIndex([2, 0, 4, 3, 1]));
      // Statuses follow the life of a job: pending, running, completed, failed, cancelled.
      const statusAsc = await list('order_by=status&order_direction=asc');
      expect(statusAsc.map((j) => j.status)).toEqual([...JOB_STATUSES]);
      const statusDesc = await list('order_by=status&order_direction=desc');
      expect(statusDesc.map((j) => j.status)).toEqual([...JOB_STATUSES].reverse());
    });
  });

  // ---- GET /api/scrape-jobs/{id} -------------------------------------------------------

  describe('GET /api/scrape-jobs/{id}', () => {
    test('200 with the whole record, as in the user\'s example', async () => {
      const domainId = '456e7890-e89b-12d3-a456-426614174000';
      const customerId = '789e0123-e89b-12d3-a456-426614174000';
      const config = { depth: 3, maxPages: 150, timeout: 30000, respectRobots: true, includeSubdomains: false, userAgent: 'CustomBot/1.0' };
      const metadata = { source: 'api', tags: ['ecommerce', 'high-priority'], requestedBy: 'user@example.com', estimatedDuration: 300 };
      const domain = freshDomain('whole');
      const createdAt = nowIso();
      const { id } = await createJob({ domain, priority: 7, config, metadata, domain_id: domainId, customer_config_id: customerId });

      const r = await call('GET', `/api/scrape-jobs/${id}`);
      expect(r.status).toBe(200);
      expect(r.body.success).toBe(true);
      const job = r.body.data;
      expect(job).toMatchObject({
        id,
        domain_id: domainId,
        customer_config_id: customerId,
        domain,
        job_type: 'domain_scrape',
        status: 'pending',
        priority: 7,
        retry_count: 0,
        max_retries: 3,
        config: { ...config, delay: 1000, retryOnFailure: true },
        metadata,
        started_at: null,
        completed_at: null,
        error_message: null,
        stats: {},
        worker_id: null,
        claimed_at: null,
        created_at: createdAt,
        updated_at: createdAt,
      });
      for (const field of [
        'id', 'domain_id', 'customer_config_id', 'domain', 'job_type', 'status', 'priority', 'retry_count', 'max_retries',
        'config', 'metadata', 'stats', 'started_at', 'completed_at', 'error_message', 'worker_id', 'claimed_at', 'created_at', 'updated_at',
      ]) {
        expect(job).toHaveProperty(field);
      }
      expect(job).not.toHaveProperty('claim_token');
    });

    test('404 Job not found for an id nobody has', async () => {
      const r = await call('GET', '/api/scrape-jobs/123e4567-e89b-12d3-a456-426614174000');
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ success: false, error: 'Job not found' });
    });
  });

  // ---- PUT /api/scrape-jobs/{id} -------------------------------------------------------

  describe('PUT /api/scrape-jobs/{id}', () => {
    test('the user\'s request body: status running with metadata, stats, error_message null, started_at', async () => {
      const { id } = await createJob({ domain: freshDomain('put'), metadata: { source: 'api' } });
      advance(5000);
      const r = await call('PUT', `/api/scrape-jobs/${id}`, {
        status: 'running',
        metadata: { updatedBy: 'system', notes: 'Job restarted due to timeout' },
        stats: { pagesProcessed: 75, successfulRequests: 70, failedRequests: 5 },
        error_message: null,
        started_at: '2024-01-01T11:00:00.000Z',
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        success: true,
        data: { id, status: 'running', updated_at: nowIso(), stats: { pagesProcessed: 75, successfulRequests: 70, failedRequests: 5 } },
        message: 'Job updated successfully',
      });
      const job = await getJob(id);
      expect(job).toMatchObject({
        status: 'running',
        started_at: '2024-01-01T11:00:00.000Z',
        completed_at: null,
        error_message: null,
        metadata: { source: 'api', updatedBy: 'system', notes: 'Job restarted due to timeout' },
      });
    });

    test('cURL "Update job status" then "Mark job as completed with results"', async () => {
      const { id } = await createJob({ domain: freshDomain('curl') });
      const running = await putJob(id, {
        status: 'running',
        started_at: '2024-01-01T12:00:00.000Z',
        stats: { pagesProcessed: 10, totalPages: 100 },
      });
      expect(running.data).toMatchObject({ id, status: 'running', stats: { pagesProcessed: 10, totalPages: 100 } });
      expect(running.data.updated_at).toMatch(ISO_MS);

      const completed = await putJob(id, {
        status: 'completed',
        completed_at: '2024-01-01T12:30:00.000Z',
        stats: { pagesProcessed: 100, successfulRequests: 95, failedRequests: 5, dataExtracted: { products: 250, images: 456 } },
      });
      expect(completed).toEqual({
        success: true,
        data: {
          id,
          status: 'completed',
          updated_at: nowIso(),
          // merged: totalPages from the first update survives
          stats: { pagesProcessed: 100, totalPages: 100, successfulRequests: 95, failedRequests: 5, dataExtracted: { products: 250, images: 456 } },
        },
        message: 'Job updated successfully',
      });
      const job = await getJob(id);
      expect(job).toMatchObject({ status: 'completed', started_at: '2024-01-01T12:00:00.000Z', completed_at: '2024-01-01T12:30:00.000Z' });
    });

    test('stats merge key by key: a progress update keeps totalPages; nested dataExtracted merges', async () => {
      const { id } = await createJob({ domain: freshDomain('stats-merge') });
      await putJob(id, { status: 'running', stats: { pagesProcessed: 10, totalPages: 150, dataExtracted: { products: 1, links: 3 } } });
      const progress = await putJob(id, { stats: { pagesProcessed: 45, dataExtracted: { products: 156, images: 234 } } });
      expect(progress.data.status).toBe('running');
      expect(progress.data.stats).toEqual({ pagesProcessed: 45, totalPages: 150, dataExtracted: { products: 156, links: 3, images: 234 } });
      // The user's standard and e-commerce statistics are accepted as they are.
      await putJob(id, {
        stats: {
          avgResponseTime: 1500,
          errors: [{ url: 'https://example.com/timeout-page', error: 'Request timeout', timestamp: '2024-01-01T10:15:00.000Z' }],
          performance: { memoryUsage: '150MB', cpuUsage: 45.2, networkLatency: 250 },
          products: { total: 156, inStock: 134, outOfStock: 22, categories: ['Electronics'], priceRange: { min: 9.99, max: 1299.99, average: 89.5 } },
          inventory: { tracked: 156, updated: 145, new: 11, discontinued: 3 },
        },
      });
      const job = await getJob(id);
      expect(job.stats).toMatchObject({
        pagesProcessed: 45,
        totalPages: 150,
        avgResponseTime: 1500,
        dataExtracted: { products: 156, links: 3, images: 234 },
        performance: { cpuUsage: 45.2 },
        products: { total: 156, priceRange: { max: 1299.99 } },
        inventory: { discontinued: 3 },
      });
    });

    test('metadata merges into what is stored', async () => {
      const { id } = await createJob({ domain: freshDomain('meta'), metadata: { source: 'api', tags: ['a', 'b'], nested: { x: 1 } } });
      await putJob(id, { metadata: { notes: 'first', nested: { y: 2 } } });
      await putJob(id, { metadata: { notes: 'second', tags: ['c'] } });
      const job = await getJob(id);
      expect(job.metadata).toEqual({ source: 'api', tags: ['c'], nested: { x: 1, y: 2 }, notes: 'second' });
      expect(job.status).toBe('pending'); // no status given: the job keeps it
    });

    test('retry_count and error_message are updatable; error_message null clears it', async () => {
      const id = await failedJob(freshDomain('fields'), 'Boom');
      await putJob(id, { retry_count: 2 });
      expect(await getJob(id)).toMatchObject({ retry_count: 2, error_message: 'Boom', status: 'failed' });
      await putJob(id, { error_message: null });
      expect((await getJob(id)).error_message).toBeNull();
    });

    test('400 Cannot transition from \'completed\' to \'running\'', async () => {
      const { id } = await createJob({ domain: freshDomain('illegal') });
      await putJob(id, { status: 'running' });
      await putJob(id, { status: 'completed' });
      const r = await call('PUT', `/api/scrape-jobs/${id}`, { status: 'running' });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ success: false, error: "Cannot transition from 'completed' to 'running'" });
      expect((await getJob(id)).status).toBe('completed');
    });

    test('a plain PUT status failed records the failure and starts no automatic retry', async () => {
      await emptyQueue();
      const { id } = await createJob({ domain: freshDomain('plain-fail') });
      const claimed = await claim('plain-worker');
      expect(claimed.data.id).toBe(id);
      const failed = await putJob(id, { status: 'failed', error_message: 'Parser crashed' });
      expect(failed.data.status).toBe('failed');
      const job = await getJob(id);
      expect(job).toMatchObject({ status: 'failed', retry_count: 0, error_message: 'Parser crashed', completed_at: nowIso() });
      advance(3_600_000);
      expect(await claim('plain-worker')).toEqual({ success: true, data: null, message: 'No pending jobs to claim' });
      expect((await getJob(id)).status).toBe('failed');
    });
  });

  // ---- DELETE /api/scrape-jobs/{id} ----------------------------------------------------

  describe('DELETE /api/scrape-jobs/{id}', () => {
    test('with ?reason=: Cancelled via API: User requested cancellation', async () => {
      const { id } = await createJob({ domain: freshDomain('cancel') });
      advance(1000);
      const r = await call('DELETE', `/api/scrape-jobs/${id}?reason=User%20requested%20cancellation`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        success: true,
        data: { id, status: 'cancelled', error_message: 'Cancelled via API: User requested cancellation', completed_at: nowIso() },
        message: 'Job cancelled successfully',
      });
      expect(await getJob(id)).toMatchObject({ status: 'cancelled', error_message: 'Cancelled via API: User requested cancellation' });
    });

    test('without a reason: Cancelled via API', async () => {
      const { id } = await createJob({ domain: freshDomain('cancel-default') });
      const r = await call('DELETE', `/api/scrape-jobs/${id}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        success: true,
        data: { id, status: 'cancelled', error_message: 'Cancelled via API', completed_at: nowIso() },
        message: 'Job cancelled successfully',
      });
    });

    test('a running (claimed) job and a failed job can be cancelled', async () => {
      await emptyQueue();
      const { id: runningId } = await createJob({ domain: freshDomain('cancel-running') });
      expect((await claim('cancel-worker')).data.id).toBe(runningId);
      const r = await call('DELETE', `/api/scrape-jobs/${runningId}?reason=User%20cancelled`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.data).toMatchObject({ status: 'cancelled', error_message: 'Cancelled via API: User cancelled' });
      expect(await getJob(runningId)).toMatchObject({ status: 'cancelled' });

      const failedId = await failedJob(freshDomain('cancel-failed'));
      const f = await call('DELETE', `/api/scrape-jobs/${failedId}`);
      expect(f.status).toBe(200);
      expect(f.body.data.status).toBe('cancelled');
    });

    test('409 on a completed job with details Job is already completed; 404 on an unknown id', async () => {
      const { id } = await createJob({ domain: freshDomain('cancel-done') });
      await putJob(id, { status: 'running' });
      await putJob(id, { status: 'completed' });
      const r = await call('DELETE', `/api/scrape-jobs/${id}?reason=too%20late`);
      expect(r.status).toBe(409);
      expect(r.body).toEqual({ success: false, error: 'Job not found or cannot be cancelled', details: 'Job is already completed' });
      expect((await getJob(id)).status).toBe('completed');

      const missing = await call('DELETE', '/api/scrape-jobs/123e4567-e89b-12d3-a456-426614174000');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ success: false, error: 'Job not found' });
    });
  });

  // ---- POST /api/scrape-jobs/{id}/retry ------------------------------------------------

  describe('POST /api/scrape-jobs/{id}/retry', () => {
    test('a failed job goes back to pending: attempt 1/3, metadata gains the retry fields', async () => {
      const id = await failedJob(freshDomain('retry'), 'Request timeout');
      advance(1000);
      const r = await call('POST', `/api/scrape-jobs/${id}/retry`);
      expect(r.status).toBe(200);
      expect(r.body.success).toBe(true);
      expect(r.body.message).toBe('Job scheduled for retry (attempt 1/3)');
      expect(r.body.data).toMatchObject({ id, status: 'pending', retry_count: 1, error_message: null, completed_at: null });
      expect(r.body.data.metadata).toMatchObject({
        retryReason: expect.any(String),
        lastError: 'Request timeout',
        retriedAt: nowIso(),
        retriedBy: expect.any(String),
      });
      expect(await getJob(id)).toMatchObject({ status: 'pending', retry_count: 1 });
    });

    test('reason and retried_by in the body are recorded; the message counts attempts', async () => {
      const id = await failedJob(freshDomain('retry-body'), 'HTTP 503');
      const r = await call('POST', `/api/scrape-jobs/${id}/retry`, { reason: 'Site back up', retried_by: 'ops@example.com' });
      expect(r.status).toBe(200);
      expect(r.body.data.metadata).toMatchObject({ retryReason: 'Site back up', retriedBy: 'ops@example.com', lastError: 'HTTP 503' });
      await putJob(id, { status: 'running' });
      await putJob(id, { status: 'failed', error_message: 'HTTP 503' });
      const second = await call('POST', `/api/scrape-jobs/${id}/retry`);
      expect(second.body.message).toBe('Job scheduled for retry (attempt 2/3)');
    });

    test('a manual retry is claimable at once', async () => {
      await emptyQueue();
      const id = await failedJob(freshDomain('retry-now'));
      expect((await call('POST', `/api/scrape-jobs/${id}/retry`)).status).toBe(200);
      expect((await claim('retry-worker')).data).toMatchObject({ id, retry_count: 1, status: 'running' });
    });

    test('400 Job cannot be retried with details { currentStatus, reason }', async () => {
      const { id } = await createJob({ domain: freshDomain('no-retry') });
      await putJob(id, { status: 'running' });
      const running = await call('POST', `/api/scrape-jobs/${id}/retry`);
      expect(running.status).toBe(400);
      expect(running.body).toEqual({
        success: false,
        error: 'Job cannot be retried',
        details: { currentStatus: 'running', reason: 'Job is currently in progress' },
      });
      await putJob(id, { status: 'completed' });
      const completed = await call('POST', `/api/scrape-jobs/${id}/retry`);
      expect(completed.status).toBe(400);
      expect(completed.body).toMatchObject({ success: false, error: 'Job cannot be retried', details: { currentStatus: 'completed', reason: expect.any(String) } });
    });

    test('400 Job has exceeded maximum retry attempts with details', async () => {
      const id = await failedJob(freshDomain('exhausted'), 'Request timeout', { max_retries: 1 });
      expect((await call('POST', `/api/scrape-jobs/${id}/retry`)).body.message).toBe('Job scheduled for retry (attempt 1/1)');
      await putJob(id, { status: 'running' });
      await putJob(id, { status: 'failed', error_message: 'Request timeout' });
      const r = await call('POST', `/api/scrape-jobs/${id}/retry`);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({
        success: false,
        error: 'Job has exceeded maximum retry attempts',
        details: { jobId: id, currentRetries: 1, maxRetries: 1, lastError: 'Request timeout', failurePattern: expect.any(String) },
      });
      expect(r.body.details.failurePattern.length).toBeGreaterThan(0);
      expect(await getJob(id)).toMatchObject({ status: 'failed', retry_count: 1 });
    });

    test('404 Job not found', async () => {
      const r = await call('POST', '/api/scrape-jobs/123e4567-e89b-12d3-a456-426614174000/retry');
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ success: false, error: 'Job not found' });
    });
  });

  // ---- the queue: GET/POST /api/scrape-jobs/next ---------------------------------------

  describe('GET/POST /api/scrape-jobs/next', () => {
    test('empty queue: No pending jobs in queue / No pending jobs to claim', async () => {
      await emptyQueue();
      const peek = await call('GET', '/api/scrape-jobs/next');
      expect(peek.status).toBe(200);
      expect(peek.body).toEqual({ success: true, data: null, message: 'No pending jobs in queue' });
      const r = await call('POST', '/api/scrape-jobs/next', undefined, { 'X-Worker-ID': 'idle-worker' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ success: true, data: null, message: 'No pending jobs to claim' });
    });

    test('GET peeks at the next job and leaves it unchanged', async () => {
      await emptyQueue();
      const { id } = await createJob({ domain: freshDomain('peek') });
      const before = await getJob(id);
      advance(1000);
      const peek = await call('GET', '/api/scrape-jobs/next');
      expect(peek.status).toBe(200);
      expect(peek.body.success).toBe(true);
      expect(peek.body.data).toEqual(before);
      expect(await getJob(id)).toEqual(before);
      // Peeking twice gives the same job: nothing was taken.
      expect((await call('GET', '/api/scrape-jobs/next')).body.data.id).toBe(id);
    });

    test('POST claims in order priority desc, retry_count asc, created_at asc; header or body worker_id', async () => {
      await emptyQueue();
      advance(1000);
      const low = await createJob({ domain: freshDomain('q-low'), priority: 5 });
      advance(1000);
      const retried = await createJob({ domain: freshDomain('q-retried'), priority: 9 });
      await putJob(retried.id, { retry_count: 1 });
      advance(1000);
      const older = await createJob({ domain: freshDomain('q-older'), priority: 9 });
      advance(1000);
      const newer = await createJob({ domain: freshDomain('q-newer'), priority: 9 });

      expect((await call('GET', '/api/scrape-jobs/next')).body.data.id).toBe(older.id);

      advance(1000);
      const first = await call('POST', '/api/scrape-jobs/next', undefined, { 'X-Worker-ID': 'worker-1' });
      expect(first.status).toBe(200);
      expect(first.body.message).toBe('Job claimed successfully');
      expect(first.body.data).toMatchObject({
        id: older.id,
        status: 'running',
        worker_id: 'worker-1',
        claimed_at: nowIso(),
        started_at: nowIso(),
        metadata: { claimedBy: 'worker-1' },
        claim_token: expect.any(String),
      });

      const second = await call('POST', '/api/scrape-jobs/next', { worker_id: 'worker-2' });
      expect(second.status).toBe(200);
      expect(second.body.data).toMatchObject({ id: newer.id, worker_id: 'worker-2', metadata: { claimedBy: 'worker-2' } });

      expect((await claim('worker-3')).data.id).toBe(retried.id);
      expect((await claim('worker-3')).data.id).toBe(low.id);
      expect(await claim('worker-3')).toEqual({ success: true, data: null, message: 'No pending jobs to claim' });

      const stored = await getJob(older.id);
      expect(stored).toMatchObject({ status: 'running', worker_id: 'worker-1', claimed_at: first.body.data.claimed_at });
      expect(stored).not.toHaveProperty('claim_token');
    });

    test('POST /next/batch claims up to `limit` in claim order; POST /complete completes the held claims and refuses the rest one by one', async () => {
      await emptyQueue();
      const empty = await call('POST', '/api/scrape-jobs/next/batch', { limit: 5 }, { 'X-Worker-ID': 'batcher' });
      expect(empty.body).toEqual({ success: true, data: [], message: 'No pending jobs to claim' });
      advance(1000);
      const low = await createJob({ domain: freshDomain('b-low'), priority: 2 });
      advance(1000);
      const high = await createJob({ domain: freshDomain('b-high'), priority: 8 });
      advance(1000);
      const other = await createJob({ domain: freshDomain('b-other'), priority: 1 });

      const batch = await call('POST', '/api/scrape-jobs/next/batch', { limit: 2, worker_id: 'batcher' });
      expect(batch.status).toBe(200);
      expect(batch.body.message).toBe('2 jobs claimed');
      expect(batch.body.data.map((j: { id: string }) => j.id)).toEqual([high.id, low.id]);
      expect(batch.body.data[0]).toMatchObject({ status: 'running', worker_id: 'batcher', claim_token: expect.any(String), metadata: { claimedBy: 'batcher' } });

      const [h, l] = batch.body.data as Array<{ id: string; claim_token: string }>;
      advance(1000);
      await call('DELETE', `/api/scrape-jobs/${l!.id}?reason=changed%20my%20mind`);
      const done = await call('POST', '/api/scrape-jobs/complete', {
        jobs: [
          { id: h!.id, claim_token: h!.claim_token, stats: { pagesProcessed: 3 } },
          { id: l!.id, claim_token: l!.claim_token },
          { id: other.id, claim_token: h!.claim_token },
        ],
      }, { 'X-Worker-ID': 'batcher' });
      expect(done.status).toBe(200);
      expect(done.body).toEqual({
        success: true,
        data: {
          completed: [{ id: h!.id, status: 'completed', updated_at: nowIso(), stats: { pagesProcessed: 3 } }],
          refused: [
            { id: l!.id, error: { code: 'CLAIM_LOST', message: 'Claim is no longer held by this worker', details: { currentStatus: 'cancelled', reason: 'The job is cancelled' } } },
            { id: other.id, error: { code: 'CLAIM_LOST', message: 'Claim is no longer held by this worker', details: { currentStatus: 'pending', reason: 'The job is pending' } } },
          ],
        },
        message: '1 completed, 2 refused',
      });
      expect(await getJob(h!.id)).toMatchObject({ status: 'completed', completed_at: nowIso() });
      expect(await getJob(l!.id)).toMatchObject({ status: 'cancelled' });
      expect(await getJob(other.id)).toMatchObject({ status: 'pending' });
      expect((await history(h!.id)).at(-1)).toMatchObject({ action: 'updated', to_status: 'completed', actor: 'worker:batcher' });
    });

    test('concurrent claims never hand out the same job', async () => {
      await emptyQueue();
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await createJob({ domain: freshDomain('race') })).id);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => claim(`racer-${i}`)));
      const claimed = results.filter((r) => r.data !== null).map((r) => r.data.id);
      expect(claimed.sort()).toEqual([...ids].sort());
      expect(results.filter((r) => r.data === null).every((r) => r.message === 'No pending jobs to claim')).toBe(true);
    });

    test('automatic retry: a retryable failure goes back to pending, claimable only after the delay', async () => {
      await emptyQueue();
      const { id } = await createJob({ domain: freshDomain('auto-retry') });
      const claimed = (await claim('auto-worker')).data;
      expect(claimed.id).toBe(id);

      advance(1000);
      const failedAt = now;
      const r = await call('PUT', `/api/scrape-jobs/${id}`, {
        status: 'failed',
        error_message: 'Connection reset',
        claim_token: claimed.claim_token,
        retryable: true,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.message).toBe('Job updated successfully');
      expect(r.body.data.status).toBe('pending');

      const job = await getJob(id);
      expect(job).toMatchObject({
        status: 'pending',
        retry_count: 1,
        error_message: null,
        worker_id: null,
        completed_at: null,
        available_at: new Date(failedAt + 60_000).toISOString(),
        metadata: { lastError: 'Connection reset', retryReason: expect.any(String), retriedAt: expect.any(String), retriedBy: expect.any(String) },
      });
      const moves = (await history(id)).map((h) => [h.from_status, h.to_status]);
      expect(moves).toEqual([[null, 'pending'], ['pending', 'running'], ['running', 'failed'], ['failed', 'pending']]);

      // Waiting out the 60 s delay: neither peek nor claim sees it, and an update while it
      // waits (metadata, stats) does not cut the delay short.
      expect((await call('GET', '/api/scrape-jobs/next')).body).toEqual({ success: true, data: null, message: 'No pending jobs in queue' });
      advance(1000);
      expect((await call('PUT', `/api/scrape-jobs/${id}`, { metadata: { note: 'waiting' }, stats: { totalPages: 9 } })).status).toBe(200);
      expect(await getJob(id)).toMatchObject({ status: 'pending', available_at: new Date(failedAt + 60_000).toISOString() });
      expect((await claim('auto-worker')).data).toBeNull();
      advance(58_000);
      expect((await claim('auto-worker')).data).toBeNull();

      advance(1000); // exactly 60 s after the failure
      expect((await call('GET', '/api/scrape-jobs/next')).body.data.id).toBe(id);
      const again = (await claim('auto-worker')).data;
      expect(again).toMatchObject({ id, retry_count: 1, status: 'running' });

      // A second retryable failure waits 300 s.
      const second = await call('PUT', `/api/scrape-jobs/${id}`, { status: 'failed', error_message: 'Connection reset', claim_token: again.claim_token, retryable: true });
      expect(second.status).toBe(200);
      expect(await getJob(id)).toMatchObject({ status: 'pending', retry_count: 2, available_at: new Date(now + 300_000).toISOString() });
      advance(299_000);
      expect((await claim('auto-worker')).data).toBeNull();
      advance(1000);
      expect((await claim('auto-worker')).data).toMatchObject({ id, retry_count: 2 });
    });

    test('a retryable failure with retryOnFailure false, or without retries left, stays failed', async () => {
      await emptyQueue();
      const { id: noRetry } = await createJob({ domain: freshDomain('no-auto'), config: { retryOnFailure: false } });
      const a = (await claim('w')).data;
      expect(a.id).toBe(noRetry);
      await putJob(noRetry, { status: 'failed', error_message: 'x', claim_token: a.claim_token, retryable: true });
      expect(await getJob(noRetry)).toMatchObject({ status: 'failed', retry_count: 0 });

      const { id: spent } = await createJob({ domain: freshDomain('no-left'), max_retries: 0 });
      const b = (await claim('w')).data;
      expect(b.id).toBe(spent);
      await putJob(spent, { status: 'failed', error_message: 'y', claim_token: b.claim_token, retryable: true });
      expect(await getJob(spent)).toMatchObject({ status: 'failed', retry_count: 0 });
    });

    test('claim timeout: a running job nobody updated is released to pending, with history', async () => {
      await emptyQueue();
      const { id } = await createJob({ domain: freshDomain('sweep') });
      const claimed = (await claim('sleepy-worker')).data;
      expect(claimed.id).toBe(id);
      expect(claimed.claim_expires_at).toBe(new Date(now + 10 * 60_000).toISOString());

      // Nine minutes in, the worker reports progress: the claim now runs from that update.
      advance(9 * 60_000);
      expect((await server.manager.releaseExpiredClaims()).map((r) => r.job.id)).not.toContain(id);
      await putJob(id, { stats: { pagesProcessed: 3 }, claim_token: claimed.claim_token });

      advance(2 * 60_000); // 11 min after the claim, 2 min after the update: still held
      expect((await server.manager.releaseExpiredClaims()).map((r) => r.job.id)).not.toContain(id);
      expect((await getJob(id)).status).toBe('running');

      advance(8 * 60_000 + 1); // just past 10 min after the update
      const released = await server.manager.releaseExpiredClaims();
      expect(released.find((r) => r.job.id === id)).toMatchObject({ workerId: 'sleepy-worker', job: { status: 'pending' } });

      const job = await getJob(id);
      expect(job).toMatchObject({ status: 'pending', worker_id: null, claimed_at: null, started_at: null, stats: { pagesProcessed: 3 } });
      const last = (await history(id)).at(-1);
      expect(last).toMatchObject({ job_id: id, action: 'claim_expired', from_status: 'running', to_status: 'pending', actor: 'system', key_id: null, request_id: null, at: nowIso() });
      expect(last.reason).toContain('sleepy-worker');
      expect(last.changes.worker_id).toEqual({ old: 'sleepy-worker', new: null });

      // The late worker's write is fenced off; the job can be claimed again.
      const late = await call('PUT', `/api/scrape-jobs/${id}`, { status: 'completed', claim_token: claimed.claim_token });
      expect(late.status).toBe(409);
      expect(late.body.success).toBe(false);
      const reclaimed = (await claim('fresh-worker')).data;
      expect(reclaimed).toMatchObject({ id, status: 'running', worker_id: 'fresh-worker' });
      expect(reclaimed.claim_token).not.toBe(claimed.claim_token);
    });
  });

  // ---- history -------------------------------------------------------------------------

  test('GET /api/scrape-jobs/{id}/history records every change: action, actor, request id, the fields old → new', async () => {
    const created = await call('POST', '/api/scrape-jobs', { domain: freshDomain('history') }, { 'X-Request-ID': 'req-history-create' });
    expect(created.status).toBe(201);
    const { id } = created.body.data;
    const createdAt = now;
    advance(1000);
    const put = await call('PUT', `/api/scrape-jobs/${id}`, { status: 'running', metadata: { via: 'rest' } }, { 'X-Request-ID': 'req-history-put' });
    expect(put.status).toBe(200);
    const runningAt = now;
    advance(1000);
    // A refused request is not in the history.
    expect((await call('PUT', `/api/scrape-jobs/${id}`, { status: 'pending' }, { 'X-Request-ID': 'req-history-refused' })).status).toBe(400);
    await call('DELETE', `/api/scrape-jobs/${id}?reason=done%20here`, undefined, { 'X-Request-ID': 'req-history-cancel' });
    const rows = await history(id);
    expect(rows.map((h) => [h.action, h.from_status, h.to_status, h.actor, h.key_id, h.request_id, h.reason])).toEqual([
      ['created', null, 'pending', 'api', null, 'req-history-create', 'Created'],
      ['updated', 'pending', 'running', 'api', null, 'req-history-put', 'Status updated'],
      ['cancelled', 'running', 'cancelled', 'api', null, 'req-history-cancel', 'Cancelled via API: done here'],
    ]);
    expect(rows.every((h) => h.job_id === id && ISO_MS.test(h.at))).toBe(true);
    expect(rows.map((h) => h.at)).toEqual([createdAt, runningAt, now].map((t) => new Date(t).toISOString()));
    expect(Object.keys(rows[0]).sort()).toEqual(['action', 'actor', 'at', 'changes', 'from_status', 'id', 'job_id', 'key_id', 'reason', 'request_id', 'to_status']);
    const expiry = new Date(runningAt + 10 * 60_000).toISOString();
    expect(rows[1].changes).toEqual({
      status: { old: 'pending', new: 'running' },
      started_at: { old: null, new: new Date(runningAt).toISOString() },
      claim_expires_at: { old: null, new: expiry },
      metadata: { old: {}, new: { via: 'rest' } },
    });
    expect(rows[2].changes).toEqual({
      status: { old: 'running', new: 'cancelled' },
      error_message: { old: null, new: 'Cancelled via API: done here' },
      completed_at: { old: null, new: nowIso() },
      claim_expires_at: { old: expiry, new: null },
    });
  });

  test('a claim over REST is recorded with the worker and the request id', async () => {
    await emptyQueue();
    const { id } = await createJob({ domain: freshDomain('history-claim') });
    const r = await call('POST', '/api/scrape-jobs/next', undefined, { 'X-Worker-ID': 'rest-worker', 'X-Request-ID': 'req-history-claim' });
    expect(r.body.data.id).toBe(id);
    expect((await history(id)).at(-1)).toMatchObject({ action: 'claimed', actor: 'worker:rest-worker', key_id: null, request_id: 'req-history-claim' });
  });

  // ---- GET /api/scrape-jobs/stats ------------------------------------------------------

  describe('GET /api/scrape-jobs/stats', () => {
    test('all_domains: the whole shape, counts agreeing with the list endpoint', async () => {
      const r = await call('GET', '/api/scrape-jobs/stats');
      expect(r.status).toBe(200);
      expect(r.body.success).toBe(true);
      const s = r.body.data;
      expect(s.domain).toBe('all_domains');
      expect(s.timestamp).toBe(nowIso());
      expect(Object.keys(s.overview).sort()).toEqual(
        ['avgCompletionTime', 'cancelledJobs', 'completedJobs', 'failedJobs', 'pendingJobs', 'runningJobs', 'successRate', 'totalJobs'],
      );
      expect(Object.keys(s.statusBreakdown).sort()).toEqual([...JOB_STATUSES].sort());
      expect(Object.keys(s.jobTypeBreakdown).sort()).toEqual([...JOB_TYPES].sort());
      expect(Object.keys(s.priorityDistribution).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect(Object.keys(s.performance).sort()).toEqual(
        ['avgPagesPerJob', 'avgProcessingSpeed', 'failedRequests', 'requestSuccessRate', 'successfulRequests', 'totalPagesProcessed'],
      );
      expect(Object.keys(s.timeMetrics).sort()).toEqual(['avgJobDuration', 'avgWaitTime', 'fastestJob', 'medianJobDuration', 'slowestJob']);
      expect(Object.keys(s.retryAnalysis).sort()).toEqual(['avgRetriesPerFailedJob', 'jobsWithRetries', 'retrySuccessRate', 'totalRetries']);
      for (const window of ['last24Hours', 'last7Days', 'last30Days']) {
        expect(Object.keys(s.trends[window]).sort()).toEqual(['jobsCompleted', 'jobsCreated', 'successRate']);
      }
      expect(Array.isArray(s.errorAnalysis.commonErrors)).toBe(true);
      expect(Array.isArray(s.errorAnalysis.errorsByDomain)).toBe(true);
      expect(s).not.toHaveProperty('jobHistory');
      expect(s).not.toHaveProperty('recommendations');

      const total = async (query: string) => (await call('GET', `/api/scrape-jobs?limit=1${query}`)).body.pagination.total;
      expect(s.overview.totalJobs).toBe(await total(''));
      expect(s.overview.totalJobs).toBeGreaterThan(0);
      for (const status of JOB_STATUSES) expect(s.statusBreakdown[status], status).toBe(await total(`&status=${status}`));
      for (const type of JOB_TYPES) expect(s.jobTypeBreakdown[type], type).toBe(await total(`&job_type=${type}`));
      expect(s.overview).toMatchObject({
        completedJobs: s.statusBreakdown.completed,
        failedJobs: s.statusBreakdown.failed,
        pendingJobs: s.statusBreakdown.pending,
        runningJobs: s.statusBreakdown.running,
        cancelledJobs: s.statusBreakdown.cancelled,
      });
    });

    test('?domain=: figures computed from the domain\'s jobs, with jobHistory and recommendations', async () => {
      const domain = freshDomain('stats');
      // completed: waited 10 s, ran 100 s, 50 pages
      advance(60_000);
      const done = await createJob({ domain });
      advance(10_000);
      await putJob(done.id, { status: 'running' });
      advance(100_000);
      await putJob(done.id, {
        status: 'completed',
        stats: { pagesProcessed: 50, successfulRequests: 45, failedRequests: 5, dataExtracted: { products: 10, images: 4 } },
      });
      // failed: waited 10 s, ran 20 s
      const failed = await createJob({ domain });
      advance(10_000);
      await putJob(failed.id, { status: 'running' });
      advance(20_000);
      await putJob(failed.id, { status: 'failed', error_message: 'Request timeout' });
      // cancelled while pending, and one pending
      const cancelled = await createJob({ domain });
      await call('DELETE', `/api/scrape-jobs/${cancelled.id}`);
      advance(1000);
      const pending = await createJob({ domain, priority: 8 });

      const r = await call('GET', `/api/scrape-jobs/stats?domain=${domain}`);
      expect(r.status).toBe(200);
      const s = r.body.data;
      expect(s.domain).toBe(domain);
      expect(s.overview).toEqual({
        totalJobs: 4, completedJobs: 1, failedJobs: 1, pendingJobs: 1, runningJobs: 0, cancelledJobs: 1,
        successRate: 33.33, avgCompletionTime: 100,
      });
      expect(s.statusBreakdown).toEqual({ pending: 1, running: 0, completed: 1, failed: 1, cancelled: 1 });
      expect(s.jobTypeBreakdown).toMatchObject({ domain_scrape: 4, single_page: 0 });
      expect(s.priorityDistribution).toMatchObject({ '5': 3, '8': 1, '1': 0 });
      expect(s.performance).toMatchObject({ totalPagesProcessed: 50, avgPagesPerJob: 50, successfulRequests: 45, failedRequests: 5, requestSuccessRate: 90 });
      expect(s.timeMetrics).toEqual({ avgJobDuration: 60, medianJobDuration: 60, fastestJob: 20, slowestJob: 100, avgWaitTime: 10 });
      expect(s.retryAnalysis).toEqual({ jobsWithRetries: 0, totalRetries: 0, avgRetriesPerFailedJob: 0, retrySuccessRate: 0 });
      expect(s.trends.last24Hours).toEqual({ jobsCreated: 4, jobsCompleted: 1, successRate: 33.33 });
      expect(s.errorAnalysis.commonErrors).toEqual([{ error: 'Request timeout', count: 1, percentage: 100 }]);
      expect(s.errorAnalysis.errorsByDomain).toEqual([{ domain, errorCount: 1, totalJobs: 4, errorRate: 25 }]);

      expect(Array.isArray(s.jobHistory)).toBe(true);
      expect(s.jobHistory.map((j: any) => j.id).sort()).toEqual([done.id, failed.id, cancelled.id, pending.id].sort());
      expect(s.jobHistory.find((j: any) => j.id === done.id)).toMatchObject({
        status: 'completed', duration: 100, pagesProcessed: 50, dataExtracted: { products: 10, images: 4 },
      });
      expect(s.jobHistory.find((j: any) => j.id === pending.id)).toMatchObject({ status: 'pending', duration: null, pagesProcessed: 0 });

      expect(Array.isArray(s.recommendations)).toBe(true);
      expect(s.recommendations.length).toBeGreaterThan(0); // one job in three completed
      for (const rec of s.recommendations) {
        expect(rec).toEqual({ type: expect.any(String), message: expect.any(String), priority: expect.stringMatching(/^(low|medium|high)$/) });
      }
    });

    test('?domain= with no jobs: every number 0, empty jobHistory and recommendations', async () => {
      const r = await call('GET', `/api/scrape-jobs/stats?domain=${freshDomain('empty')}`);
      expect(r.status).toBe(200);
      const s = r.body.data;
      expect(s.overview).toEqual({
        totalJobs: 0, completedJobs: 0, failedJobs: 0, pendingJobs: 0, runningJobs: 0, cancelledJobs: 0, successRate: 0, avgCompletionTime: 0,
      });
      expect(Object.values(s.performance).every((v) => v === 0)).toBe(true);
      expect(Object.values(s.timeMetrics).every((v) => v === 0)).toBe(true);
      expect(s.jobHistory).toEqual([]);
      expect(s.recommendations).toEqual([]);
      expect(s.errorAnalysis).toEqual({ commonErrors: [], errorsByDomain: [] });
    });
  });
});
