/**
 * tRPC's answers on the wire (apps/server/src/trpc-route.ts): a query or a batch is one JSON
 * body with its Content-Length, not a chunked stream; errors too; tRPC's Vary keeps the CORS
 * one. (That a subscription is dropped when its client goes away: trpc-client.test.ts.)
 */
import { createJobInputSchema } from '@scrape-jobs/domain';
import { skipPostgres } from '@scrape-jobs/db/testing';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './test-server.ts';

/** One GET as the bytes arrive: status, headers and body. */
function get(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

const batchGet = (base: string, input: unknown) => `${base}/trpc/scrapeJobs.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`;

describe.each(['pglite', 'postgres'] as const)('tRPC answers on the wire on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let server: TestServer;
  let jobId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    jobId = (await server.manager.createJob(createJobInputSchema.parse({ domain: 'wire.example.com' }))).id;
  });
  afterAll(async () => {
    await server?.close();
  });

  test.each([
    ['a batched query', () => batchGet(server.url, { id: jobId }), 200],
    ['an unbatched query', () => `${server.url}/trpc/scrapeJobs.get?input=${encodeURIComponent(JSON.stringify({ id: jobId }))}`, 200],
    ['a refused query', () => batchGet(server.url, { id: 'not-a-uuid' }), 400],
  ])('%s is one JSON body with its Content-Length', async (_name, url, status) => {
    const r = await get(url());
    expect(r.status).toBe(status);
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers.vary).toBe('trpc-accept, accept, Origin');
    const body = JSON.parse(r.body);
    const answer = Array.isArray(body) ? body[0] : body;
    if (status === 200) expect(answer.result.data.id).toBe(jobId);
    else expect(answer.error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, domainCode: 'VALIDATION' });
  });

  test('a batch of two answers both in one body, in order', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: { id: jobId }, 1: {} }));
    const r = await get(`${server.url}/trpc/scrapeJobs.get,scrapeJobs.stats?batch=1&input=${input}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(r.body)));
    const [job, stats] = JSON.parse(r.body);
    expect(job.result.data.id).toBe(jobId);
    expect(stats.result.data).toBeTypeOf('object');
  });
});
