import { skipPostgres } from '@scrape-jobs/db/testing';
import { startFixtureSite, type RunningFixtureSite } from '@scrape-jobs/fixture-site';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RunOutcome } from '../src/job-runner.ts';
import { startWorker, type Worker } from '../src/worker.ts';
import { ALLOW_FIXTURE, api, createJob, getJob, history, isTerminalMove, silentLog, startTestServer, waitForJob, type TestServer } from './helpers.ts';

describe.each(['pglite', 'postgres'] as const)('a worker against a real server on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let site: RunningFixtureSite;
  let server: TestServer;
  let offsetMs = 0;
  let worker: Worker | undefined;
  const ended = new Map<string, RunOutcome | 'error'>();

  beforeAll(async () => {
    site = await startFixtureSite({ slowMs: 300 });
    server = await startTestServer(kind, { clock: () => new Date(Date.now() + offsetMs), random: () => 0.5 });
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });
  afterEach(async () => {
    await worker?.stop(0);
    worker = undefined;
  });

  const start = () => {
    worker = startWorker({
      serverUrl: server.url,
      workerId: `e2e-${kind}`,
      concurrency: 2,
      heartbeatIntervalMs: 150,
      pollIntervalMs: 100,
      allowHosts: ALLOW_FIXTURE,
      log: silentLog,
      onJobEnd: (id, outcome) => ended.set(id, outcome),
    });
  };

  test('create → claimed → progress visible mid-crawl → completed with stats and page results', async () => {
    start();
    const id = await createJob(server, { domain: site.domain, job_type: 'domain_scrape', config: { depth: 2, maxPages: 12, delay: 80 } });
    const seen: number[] = [];
    const done = await waitForJob(server, id, (job) => {
      if (job.status === 'running') seen.push(job.stats.pagesProcessed ?? 0);
      return job.status === 'completed';
    });
    expect(seen.some((pages) => pages > 0 && pages < 12), `progress while running: ${seen.join(',')}`).toBe(true);
    expect(done.worker_id).toBe(`e2e-${kind}`);
    const stats = done.stats;
    expect(stats.pagesProcessed).toBe(12);
    expect(stats.pagesProcessed).toBe((stats.successfulRequests ?? 0) + (stats.failedRequests ?? 0));
    expect(stats.totalPages).toBeGreaterThanOrEqual(12);
    const results = (await api(server.url, 'GET', `/api/scrape-jobs/${id}/results?limit=500`)).body;
    expect(results.pagination.total).toBe(12);
    expect(results.data.reduce((n: number, page: { products: unknown[] }) => n + page.products.length, 0)).toBe(stats.dataExtracted?.products);
    const moves = (await history(server, id)).map((h) => `${h.from_status}→${h.to_status}`);
    expect(moves).toEqual(['null→pending', 'pending→running', 'running→completed']);
  });

  test('content_update re-fetches the URLs of the domain’s last completed job, and inventory compares with it', async () => {
    start();
    const first = await createJob(server, { domain: site.domain, job_type: 'product_catalog', config: { depth: 2, maxPages: 10, delay: 0 } });
    await waitForJob(server, first, (job) => job.status === 'completed');
    const firstPages = (await api(server.url, 'GET', `/api/scrape-jobs/${first}/results?limit=500`)).body.data as Array<{ url: string; status: number }>;
    const second = await createJob(server, { domain: site.domain, job_type: 'content_update', config: { delay: 0, maxPages: 50 } });
    const done = await waitForJob(server, second, (job) => job.status === 'completed');
    const secondUrls = ((await api(server.url, 'GET', `/api/scrape-jobs/${second}/results?limit=500`)).body.data as Array<{ url: string }>).map((p) => p.url);
    const previousOk = new Set(firstPages.filter((p) => p.status < 400).map((p) => p.url));
    expect(secondUrls.length).toBeGreaterThan(1);
    expect(secondUrls.filter((url) => !previousOk.has(url))).toEqual([]);
    expect(done.stats.inventory?.updated).toBeGreaterThan(0);
    expect(done.stats.inventory?.tracked).toBe(done.stats.products?.total);
  });

  test('cancel mid-crawl: the job ends cancelled within about a second, with partial stats, one terminal transition', async () => {
    start();
    const id = await createJob(server, { domain: site.domain, config: { depth: 5, maxPages: 200, delay: 150 } });
    await waitForJob(server, id, (job) => job.status === 'running' && (job.stats.pagesProcessed ?? 0) >= 2);
    const cancelledAt = Date.now();
    expect((await api(server.url, 'DELETE', `/api/scrape-jobs/${id}?reason=enough`)).status).toBe(200);
    while (!ended.has(id) && Date.now() - cancelledAt < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended.get(id)).toBe('cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(1500);
    const job = await getJob(server, id);
    expect(job.status).toBe('cancelled');
    expect(job.error_message).toBe('Cancelled via API: enough');
    expect(job.stats.pagesProcessed).toBeGreaterThanOrEqual(2);
    expect(job.stats.pagesProcessed).toBeLessThan(200);
    const rows = await history(server, id);
    const terminal = rows.filter(isTerminalMove);
    expect(terminal).toHaveLength(1);
    expect(terminal[0]).toMatchObject({ action: 'cancelled', to_status: 'cancelled', actor: 'api' });
    // The worker's partial stats after the cancel are an update that keeps the status.
    const after = rows.slice(rows.indexOf(terminal[0]!) + 1);
    expect(after.filter((h) => h.action !== 'updated' || h.from_status !== 'cancelled' || Object.keys(h.changes).join() !== 'stats')).toEqual([]);
  });

  test('a retryable failure (429 with Retry-After) goes back to pending, claimable only after the delay', async () => {
    start();
    const id = await createJob(server, { domain: site.domain, job_type: 'single_page', config: { startUrl: `${site.url}/rate-limited`, delay: 0 } });
    const retried = await waitForJob(server, id, (job) => job.retry_count === 1);
    await worker!.stop(0);
    worker = undefined;
    expect(retried.status).toBe('pending');
    expect(retried.metadata.lastError).toMatch(/429/);
    const waitMs = Date.parse(retried.available_at) - Date.parse(retried.updated_at);
    expect(waitMs).toBeGreaterThanOrEqual(60_000);
    expect((await api(server.url, 'GET', '/api/scrape-jobs/next')).body.data).toBeNull();
    offsetMs += waitMs + 1000;
    expect((await api(server.url, 'GET', '/api/scrape-jobs/next')).body.data?.id).toBe(id);
    const moves = (await history(server, id)).map((h) => `${h.action}:${h.from_status}→${h.to_status}:${h.actor}`);
    expect(moves).toEqual(['created:null→pending:api', 'claimed:pending→running:worker:e2e-' + kind, 'updated:running→failed:worker:e2e-' + kind, 'auto_retried:failed→pending:system']);
    await api(server.url, 'DELETE', `/api/scrape-jobs/${id}`);
  });

  test('outbound safety: without the allow-list a loopback site is refused and the job fails for good', async () => {
    worker = startWorker({ serverUrl: server.url, workerId: 'no-allow', concurrency: 1, heartbeatIntervalMs: 150, pollIntervalMs: 100, allowHosts: undefined, log: silentLog });
    const before = site.requests.entries.length;
    const id = await createJob(server, { domain: site.domain, job_type: 'single_page', config: { delay: 0 } });
    const job = await waitForJob(server, id, (j) => j.status === 'failed');
    expect(job.retry_count).toBe(0);
    expect(job.error_message).toMatch(/refused|private|loopback|not allowed/i);
    expect(site.requests.entries.length).toBe(before);
  });
});
