import { createTestDatabase, skipPostgres, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, DomainError, parseInput, type PageResultRecord } from '@scrape-jobs/domain';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCaller, createContextInner, createScrapeJobManager, type ScrapeJobManager } from '../src/index.ts';

const page = (url: string, extra: Partial<PageResultRecord> = {}): PageResultRecord => ({
  url,
  status: 200,
  title: `Title of ${url}`,
  depth: 1,
  products: [{ name: 'Lamp', price: 19.5, currency: 'EUR', availability: 'in_stock', category: 'Home', image: null, url, sku: 'L-1', source: 'json-ld' }],
  images: 2,
  links: 5,
  documents: 0,
  bytes: 1234,
  response_time_ms: 12,
  error: null,
  fetched_at: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe.each(['pglite', 'postgres'] as const)('page results on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let database: TestDatabase;
  let manager: ScrapeJobManager;
  let n = 0;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    manager = createScrapeJobManager({ db: database.db });
  });
  afterAll(async () => database?.destroy());

  async function claimedJob() {
    const created = await manager.createJob(parseInput(createJobInputSchema, { domain: `pages-${++n}.example` }));
    const claimed = await manager.claimNextJob({ workerId: 'w1' });
    expect(claimed?.id).toBe(created.id);
    return claimed!;
  }

  test('the claim holder stores pages; a repeated URL is one row; results come back paged in order', async () => {
    const job = await claimedJob();
    const caller = createCaller(createContextInner({ manager }));
    expect(await caller.queue.reportPages({ id: job.id, claim_token: job.claim_token, pages: [page('https://a/1'), page('https://a/2')] })).toEqual({ stored: 2 });
    // a retried batch, and a URL twice in one batch (the last one wins)
    await caller.queue.reportPages({ id: job.id, claim_token: job.claim_token, pages: [page('https://a/2', { status: 404, products: [] }), page('https://a/3'), page('https://a/3', { title: 'last' })] });
    const all = await caller.scrapeJobs.results({ id: job.id });
    expect(all.pagination).toEqual({ offset: 0, limit: 100, total: 3, has_more: false });
    expect(all.pages.map((p) => [p.url, p.status, p.title])).toEqual([
      ['https://a/1', 200, 'Title of https://a/1'],
      ['https://a/2', 404, 'Title of https://a/2'],
      ['https://a/3', 200, 'last'],
    ]);
    expect(all.pages[0]).toEqual(page('https://a/1'));
    const second = await caller.scrapeJobs.results({ id: job.id, limit: 1, offset: 1 });
    expect(second.pages.map((p) => p.url)).toEqual(['https://a/2']);
    expect(second.pagination).toEqual({ offset: 1, limit: 1, total: 3, has_more: true });
  });

  test('a worker that lost its claim stores nothing', async () => {
    const job = await claimedJob();
    await manager.cancelJob(job.id, 'stop');
    const error = await manager.reportPages({ id: job.id, claimToken: job.claim_token, pages: [page('https://b/1')] }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'CLAIM_LOST', details: { currentStatus: 'cancelled' } });
    expect((await manager.getResults({ id: job.id, limit: 10, offset: 0 })).pagination.total).toBe(0);
  });

  test('bad input and unknown jobs', async () => {
    const caller = createCaller(createContextInner({ manager }));
    await expect(caller.scrapeJobs.results({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Job not found' });
    await expect(caller.scrapeJobs.results({ id: 'nope' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'Invalid job id: must be a UUID' });
    const job = await claimedJob();
    await expect(caller.queue.reportPages({ id: job.id, claim_token: job.claim_token, pages: [] })).rejects.toMatchObject({ message: 'pages must hold at least one page' });
    await expect(caller.queue.reportPages({ id: job.id, claim_token: job.claim_token, pages: [{ ...page('x'), images: -1 }] })).rejects.toMatchObject({ message: 'images must not be negative' });
  });
});
