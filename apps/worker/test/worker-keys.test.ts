/**
 * A worker with a `worker` API key against a server in AUTH_MODE=keys (PGlite): it claims,
 * follows the change feed, reports and completes a job using only what the worker role allows.
 */
import { startFixtureSite, type RunningFixtureSite } from '@scrape-jobs/fixture-site';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bearer, createKey } from '../../server/test/test-server.ts';
import { startWorker, type Worker } from '../src/worker.ts';
import { ALLOW_FIXTURE, api, silentLog, startTestServer, type TestServer } from './helpers.ts';

let site: RunningFixtureSite;
let server: TestServer;
let worker: Worker | undefined;

beforeAll(async () => {
  site = await startFixtureSite();
  server = await startTestServer('pglite', { authMode: 'keys' });
});
afterAll(async () => {
  await worker?.stop(0);
  await server?.close();
  await site?.close();
});

test('a worker key is enough for the whole crawl: claim, feed, pages, heartbeats, completion', { timeout: 60_000 }, async () => {
  const operator = bearer((await createKey(server, 'operator')).key);
  const workerKey = (await createKey(server, 'worker')).key;
  worker = startWorker({
    serverUrl: server.url,
    workerId: 'keyed-worker',
    apiKey: workerKey,
    concurrency: 1,
    heartbeatIntervalMs: 150,
    pollIntervalMs: 100,
    allowHosts: ALLOW_FIXTURE,
    log: silentLog,
  });
  const created = await api(server.url, 'POST', '/api/scrape-jobs', { domain: site.domain, config: { depth: 1, maxPages: 5 } }, operator);
  expect(created.status).toBe(201);
  const id = created.body.data.id;
  const deadline = Date.now() + 45_000;
  let job = (await api(server.url, 'GET', `/api/scrape-jobs/${id}`, undefined, operator)).body.data;
  while (job.status !== 'completed' && Date.now() < deadline) {
    expect(['pending', 'running']).toContain(job.status);
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (await api(server.url, 'GET', `/api/scrape-jobs/${id}`, undefined, operator)).body.data;
  }
  expect(job.status).toBe('completed');
  expect(job.worker_id).toBe('keyed-worker');
  const pages = (await api(server.url, 'GET', `/api/scrape-jobs/${id}/results`, undefined, operator)).body;
  expect(pages.pagination.total).toBe(job.stats.pagesProcessed);
});
