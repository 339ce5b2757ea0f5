/**
 * Input hardening over HTTP, on PGlite and PostgreSQL: malformed ids are refused before the
 * database is asked (proved on a server whose database is gone: 400, not 503), a malformed
 * X-Worker-ID is refused on REST and tRPC, and what workers report is stored sanitised.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { skipPostgres } from '@scrape-jobs/db/testing';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, snapshot, startTestServer, type TestServer } from './test-server.ts';

const BAD_IDS = ['not-a-uuid', '123', "1' OR '1'='1", '123e4567-e89b-12d3-a456-42661417400', '123e4567e89b12d3a456426614174000', '%00'];
const WORKER_HEADER = 'Invalid X-Worker-ID header: worker_id may hold letters, digits and . : @ _ - only';

const trpc = (url: string, headers: Record<string, string> = {}) => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers })] });

async function trpcFailure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCClientError);
    const e = error as TRPCClientError<AppRouter>;
    return { message: e.message, httpStatus: e.data?.httpStatus, domainCode: e.data?.domainCode };
  }
  throw new Error('expected the call to fail');
}

describe.each(['pglite', 'postgres'] as const)('input hardening on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => server.close());

  test('a malformed X-Worker-ID is refused with a sentence, on REST and tRPC, and changes nothing', async () => {
    const before = await snapshot(server);
    for (const header of ['worker one', 'a/b', 'x'.repeat(201), 'w<script>']) {
      const created = await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'header.example.com' }, { 'x-worker-id': header });
      expect(created.status, header).toBe(400);
      expect(created.body.error).toBe(header.length > 200 ? 'Invalid X-Worker-ID header: worker_id must be at most 200 characters' : WORKER_HEADER);
      expect(await trpcFailure(trpc(server.url, { 'x-worker-id': header }).scrapeJobs.create.mutate({ domain: 'header.example.com' }))).toMatchObject({
        httpStatus: 400,
        domainCode: 'VALIDATION',
      });
    }
    expect(await snapshot(server)).toEqual(before);
    // A well-formed one is taken as given.
    expect((await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'header.example.com' }, { 'x-worker-id': 'crawler-7.eu:1' })).status).toBe(201);
  });

  test('what a worker reports is stored without control characters and with URL credentials redacted', async () => {
    await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'report.example.com', max_retries: 0 });
    const claimed = await api(server.url, 'POST', '/api/scrape-jobs/next', { worker_id: 'w-report' });
    const { id, claim_token } = claimed.body.data as { id: string; claim_token: string };
    const failed = await api(server.url, 'PUT', `/api/scrape-jobs/${id}`, {
      status: 'failed',
      error_message: '\u001b[31mGET https://bot:hunter2@report.example.com/?token=abc failed\u0007\u202e',
      claim_token,
    });
    expect(failed.status).toBe(200);
    const clean = 'GET https://[redacted]@report.example.com/?token=[redacted] failed';
    expect((await api(server.url, 'GET', `/api/scrape-jobs/${id}`)).body.data.error_message).toBe(`[31m${clean}`);
    const history = (await api(server.url, 'GET', `/api/scrape-jobs/${id}/history`)).body.data as { to_status: string; reason: string }[];
    expect(history.find((h) => h.to_status === 'failed')?.reason).toBe(`[31m${clean}`);
    expect(JSON.stringify(history)).not.toContain('hunter2');
  });
});

test('malformed ids are refused before the database: with the database gone they still answer 400, not 503', async () => {
  const server = await startTestServer('pglite');
  const id = (await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'gone.example.com' })).body.data.id as string;
  await server.database.db.close();
  try {
    // The control: a well-formed id reaches the database, which is gone.
    const control = await api(server.url, 'GET', `/api/scrape-jobs/${id}`);
    expect(control.status).toBe(503);
    for (const bad of BAD_IDS) {
      const path = `/api/scrape-jobs/${encodeURIComponent(bad)}`;
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PUT', '', { priority: 2 }],
        ['DELETE', '', undefined],
        ['POST', '/retry', {}],
        ['GET', '/history', undefined],
        ['GET', '/results', undefined],
        ['POST', '/heartbeat', { claim_token: '11111111-1111-4111-8111-111111111111' }],
        ['POST', '/pages', { claim_token: '11111111-1111-4111-8111-111111111111', pages: [] }],
      ] as const) {
        const answer = await api(server.url, method, path + suffix, body);
        expect([bad, method, suffix, answer.status, answer.body.error]).toEqual([bad, method, suffix, 400, 'Invalid job id: must be a UUID']);
      }
    }
    const client = trpc(server.url);
    // Thunks, called one at a time: a rejection nobody awaits yet would be an unhandled one.
    for (const call of [
      () => client.scrapeJobs.get.query({ id: 'nope' }),
      () => client.scrapeJobs.history.query({ id: 'nope' }),
      () => client.scrapeJobs.results.query({ id: 'nope' }),
      () => client.scrapeJobs.update.mutate({ id: 'nope', priority: 2 } as never),
      () => client.scrapeJobs.cancel.mutate({ id: 'nope' }),
      () => client.scrapeJobs.retry.mutate({ id: 'nope' }),
      () => client.queue.heartbeat.mutate({ id: 'nope', claim_token: '11111111-1111-4111-8111-111111111111' }),
      () => client.queue.release.mutate({ id: 'nope', claim_token: '11111111-1111-4111-8111-111111111111' }),
      () => client.scrapeJobs.list.query({ customer_config_id: 'nope' }),
    ]) {
      expect(await trpcFailure(call())).toMatchObject({ httpStatus: 400, domainCode: 'VALIDATION' });
    }
    const badQuery = await api(server.url, 'GET', '/api/scrape-jobs?customer_config_id=nope');
    expect([badQuery.status, badQuery.body.error]).toEqual([400, 'customer_config_id must be a UUID']);
  } finally {
    await server.app.close();
  }
});
