/**
 * Rate limits as clients meet them, on a real server over HTTP (REST through fetch and
 * Fastify's inject, tRPC through @trpc/client), on PGlite and PostgreSQL: requests under the
 * limit pass with the RateLimit headers counting down; a burst above it gets 429 with
 * Retry-After and the headers and changes nothing; buckets and clients are counted apart;
 * the quota comes back with (injected) time; reads are never limited.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { skipPostgres } from '@scrape-jobs/db/testing';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { api, snapshot, startTestServer, type TestServer } from './test-server.ts';

const WRITES = 3;
const WORKER = 4;

describe.each(['pglite', 'postgres'] as const)('rate limits on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let server: TestServer;
  let nowMs = Date.parse('2026-12-03T10:00:00.000Z');
  let domains = 0;
  const domain = () => `shop-${++domains}.example.com`;
  const create = () => api(server.url, 'POST', '/api/scrape-jobs', { domain: domain() });

  beforeEach(async () => {
    server = await startTestServer(kind, { rateLimits: { writesPerMinute: WRITES, workerPerMinute: WORKER, clock: () => nowMs } });
  });
  afterEach(async () => server.close());

  test('writes under the limit are unaffected, and their headers count down', async () => {
    const answers = [await create(), await create(), await create()];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(answers.map((a) => a.headers.get('ratelimit'))).toEqual(['"writes";r=2;t=20', '"writes";r=1;t=40', '"writes";r=0;t=60']);
    for (const a of answers) {
      expect(a.headers.get('ratelimit-policy')).toBe('"writes";q=3;w=60');
      expect(a.headers.get('retry-after')).toBeNull();
      expect(a.body).toMatchObject({ success: true, data: { status: 'pending' } });
    }
  });

  test('a burst above the limit gets 429 with Retry-After, the RateLimit headers and the envelope, and changes nothing', async () => {
    const first = await create();
    await create();
    await create();
    const before = await snapshot(server);
    const refusals = [
      await create(),
      await api(server.url, 'DELETE', `/api/scrape-jobs/${first.body.data.id}`),
      await api(server.url, 'PUT', `/api/scrape-jobs/${first.body.data.id}`, { metadata: { note: 'x' } }),
      await api(server.url, 'POST', `/api/scrape-jobs/${first.body.data.id}/retry`, {}),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('20');
      expect(refused.headers.get('ratelimit-policy')).toBe('"writes";q=3;w=60');
      expect(refused.headers.get('ratelimit')).toBe('"writes";r=0;t=60');
      expect(refused.body).toEqual({
        success: false,
        error: 'Too many requests',
        details: { bucket: 'writes', limit: 3, window_seconds: 60, retry_after_seconds: 20 },
        retry: true,
      });
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test('bad input is limited too, before it is even read', async () => {
    for (let i = 0; i < WRITES; i++) expect((await api(server.url, 'POST', '/api/scrape-jobs', { priority: 99 })).status).toBe(400);
    expect((await api(server.url, 'POST', '/api/scrape-jobs', { priority: 99 })).status).toBe(429);
  });

  test('reads are never limited and carry no RateLimit headers', async () => {
    for (let i = 0; i < WRITES + 1; i++) await create();
    for (let i = 0; i < 10; i++) {
      const list = await api(server.url, 'GET', '/api/scrape-jobs');
      expect(list.status).toBe(200);
      expect(list.headers.get('ratelimit')).toBeNull();
    }
    expect((await api(server.url, 'GET', '/api/scrape-jobs/stats')).status).toBe(200);
    expect((await api(server.url, 'GET', '/api/scrape-jobs/next')).status).toBe(200);
  });

  test('the worker bucket is counted apart: a client out of writes still claims, heartbeats and reports', async () => {
    for (let i = 0; i < WRITES; i++) await create();
    expect((await create()).status).toBe(429);
    const claimed = await api(server.url, 'POST', '/api/scrape-jobs/next', { worker_id: 'w1' });
    expect(claimed.status).toBe(200);
    expect(claimed.headers.get('ratelimit')).toBe('"worker";r=3;t=15');
    const token = claimed.body.data.claim_token as string;
    const id = claimed.body.data.id as string;
    const heartbeat = await api(server.url, 'POST', `/api/scrape-jobs/${id}/heartbeat`, { stats: { pagesScraped: 1 } }, { 'x-claim-token': token });
    expect(heartbeat.status).toBe(200);
    // A fenced update (claim token) is the worker's; the same update without it is a write.
    const fenced = await api(server.url, 'PUT', `/api/scrape-jobs/${id}`, { metadata: { step: 1 }, claim_token: token });
    expect(fenced.status).toBe(200);
    expect(fenced.headers.get('ratelimit')).toBe('"worker";r=1;t=45');
    expect((await api(server.url, 'PUT', `/api/scrape-jobs/${id}`, { metadata: { step: 2 } })).status).toBe(429);
    const fourth = await api(server.url, 'POST', `/api/scrape-jobs/${id}/heartbeat`, {}, { 'x-claim-token': token });
    expect([fourth.status, fourth.headers.get('ratelimit')]).toEqual([200, '"worker";r=0;t=60']);
    const over = await api(server.url, 'POST', `/api/scrape-jobs/${id}/pages`, { claim_token: token, pages: [] });
    expect(over.status).toBe(429);
    expect(over.body.details).toMatchObject({ bucket: 'worker', limit: WORKER });
  });

  test('clients are counted apart: another address keeps its own quota', async () => {
    const from = (remoteAddress: string) =>
      server.app.inject({ method: 'POST', url: '/api/scrape-jobs', payload: { domain: domain() }, remoteAddress });
    for (let i = 0; i < WRITES; i++) expect((await from('10.0.0.1')).statusCode).toBe(201);
    expect((await from('10.0.0.1')).statusCode).toBe(429);
    const other = await from('10.0.0.2');
    expect(other.statusCode).toBe(201);
    expect(other.headers.ratelimit).toBe('"writes";r=2;t=20');
  });

  test('the quota comes back with time: one request per 20 s, all three after a minute', async () => {
    for (let i = 0; i < WRITES; i++) await create();
    expect((await create()).status).toBe(429);
    nowMs += 20_000;
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(429);
    nowMs += 60_000;
    const answers = [await create(), await create(), await create(), await create()];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
  });

  test('tRPC over a real client: the same buckets, TOO_MANY_REQUESTS with the headers on the HTTP response', async () => {
    const responses: Response[] = [];
    const client = createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${server.url}/trpc`,
          fetch: async (input, init) => {
            const response = await fetch(input, init);
            responses.push(response);
            return response;
          },
        }),
      ],
    });
    for (let i = 0; i < WRITES; i++) await client.scrapeJobs.create.mutate({ domain: domain() });
    expect(responses.at(-1)!.headers.get('ratelimit')).toBe('"writes";r=0;t=60');
    const before = await snapshot(server);
    let refused: unknown;
    try {
      await client.scrapeJobs.create.mutate({ domain: domain() });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TRPCClientError);
    const error = refused as TRPCClientError<AppRouter>;
    expect({ message: error.message, code: error.data?.code, httpStatus: error.data?.httpStatus, domainCode: error.data?.domainCode }).toEqual({
      message: 'Too many requests',
      code: 'TOO_MANY_REQUESTS',
      httpStatus: 429,
      domainCode: 'RATE_LIMITED',
    });
    expect(error.data?.details).toEqual({ bucket: 'writes', limit: 3, window_seconds: 60, retry_after_seconds: 20 });
    const last = responses.at(-1)!;
    expect(last.status).toBe(429);
    expect(last.headers.get('retry-after')).toBe('20');
    expect(last.headers.get('ratelimit-policy')).toBe('"writes";q=3;w=60');
    expect(await snapshot(server)).toEqual(before);
    // Reads pass; the worker's calls have their own quota.
    expect((await client.scrapeJobs.list.query({})).jobs).toHaveLength(WRITES);
    const job = await client.queue.claim.mutate({ worker_id: 'w1' });
    expect(job).not.toBeNull();
    expect(responses.at(-1)!.headers.get('ratelimit')).toBe('"worker";r=3;t=15');
  });
});

test('test servers are not limited unless asked: many writes from one address pass without RateLimit headers', async () => {
  const server = await startTestServer('pglite');
  try {
    for (let i = 0; i < 12; i++) {
      const created = await api(server.url, 'POST', '/api/scrape-jobs', { domain: `free-${i}.example.com` });
      expect(created.status).toBe(201);
      expect(created.headers.get('ratelimit')).toBeNull();
    }
  } finally {
    await server.close();
  }
});
