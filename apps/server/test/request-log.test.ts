/**
 * The server's request log never holds an API key that came in a URL: the dashboard's change
 * feed (tRPC's httpSubscriptionLink over EventSource, which cannot send headers) carries its
 * key in the `connectionParams` query parameter, and Fastify logs every request's URL. The
 * log is read from the server's own logger, through a stream, at its normal level.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redactUrl } from '../src/request-log.ts';
import { api, createKey, startTestServer, type TestServer } from './test-server.ts';

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('redactUrl', () => {
  test.each([
    ['/trpc/scrapeJobs.onChange?connectionParams=%7B%22token%22%3A%22sjk_abc%22%7D&input=%7B%7D', '/trpc/scrapeJobs.onChange?connectionParams=[redacted]&input=%7B%7D'],
    ['/api/scrape-jobs?token=sjk_abc&limit=5', '/api/scrape-jobs?token=[redacted]&limit=5'],
    ['/api/x?access_token=a&Claim_Token=b&TOKEN', '/api/x?access_token=[redacted]&Claim_Token=[redacted]&TOKEN=[redacted]'],
    ['/api/x?connection%50arams=secret&%zz=1', '/api/x?connection%50arams=[redacted]&%zz=1'],
    ['/api/x?api_key=a&secret=b&sig=c&keys=d', '/api/x?api_key=[redacted]&secret=[redacted]&sig=[redacted]&keys=d'],
    ['/api/scrape-jobs?status=pending&limit=5', '/api/scrape-jobs?status=pending&limit=5'],
    ['/api/scrape-jobs/abc', '/api/scrape-jobs/abc'],
  ])('%s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});

describe('the request log', () => {
  let server: TestServer;
  let logged = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  const lines = () => logged.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; reqId?: string; req?: { url: string }; res?: { statusCode: number } });

  beforeAll(async () => {
    server = await startTestServer('pglite', { authMode: 'keys', logLevel: 'info', logStream: stream });
  });
  afterAll(async () => server?.close());

  test('an SSE stream’s key in connectionParams, and a token in any query, are logged as [redacted]', async () => {
    const viewer = (await createKey(server, 'viewer')).key;
    const client = createTRPCClient<AppRouter>({
      links: [httpSubscriptionLink({ url: `${server.url}/trpc`, EventSource, connectionParams: () => ({ token: viewer }) })],
    });
    let started = false;
    const subscription = client.scrapeJobs.onChange.subscribe(undefined, { onStarted: () => void (started = true) });
    await until(() => started, 'the change feed to start');
    subscription.unsubscribe();
    // A refused stream (its key unknown) and a REST call with a key in its query string.
    const unknown = `sjk_${'q'.repeat(43)}`;
    const refused = createTRPCClient<AppRouter>({
      links: [httpSubscriptionLink({ url: `${server.url}/trpc`, EventSource, connectionParams: () => ({ token: unknown }) })],
    });
    let failed = false;
    const refusal = refused.scrapeJobs.onChange.subscribe(undefined, { onError: () => void (failed = true) });
    await until(() => failed, 'the refused feed to fail');
    refusal.unsubscribe();
    expect((await api(server.url, 'GET', `/api/scrape-jobs?token=${viewer}`)).status).toBe(401);

    // Fastify logs each request's URL as it comes in ('incoming request').
    const feedRequests = lines().filter((l) => l.req?.url.startsWith('/trpc/scrapeJobs.onChange'));
    expect(feedRequests.length).toBeGreaterThanOrEqual(2);
    for (const line of feedRequests) expect(line.req!.url).toMatch(/[?&]connectionParams=\[redacted\](&|$)/);
    expect(lines().some((l) => l.req?.url === '/api/scrape-jobs?token=[redacted]')).toBe(true);
    expect(logged).not.toContain(viewer);
    expect(logged).not.toContain(unknown);
  });
});
