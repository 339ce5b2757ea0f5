/**
 * The GET-of-queries fast path (src/trpc-queries.ts) answers what tRPC's resolveResponse
 * answers: the same requests go to two apps on one database, one with the fast path and one
 * without, and the status, the headers and the body must be the same bytes. Each case also
 * says whether it takes the fast path at all, so a case that quietly fell back proves nothing.
 */
import { appRouter } from '@scrape-jobs/api';
import { createJobInputSchema } from '@scrape-jobs/domain';
import { skipPostgres } from '@scrape-jobs/db/testing';
import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../src/app.ts';
import { planQueries } from '../src/trpc-queries.ts';
import { bearer, createKey, startTestServer, type TestServer } from './test-server.ts';

interface Wire {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request as the bytes arrive. `path` is sent exactly as written. */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // The path as written: a URL would re-encode the query and drop a fragment.
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What differs between any two answers: the date, the generated request id, the connection, when the statistics were taken. */
const VOLATILE = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);
const comparable = (wire: Wire) => ({
  status: wire.status,
  headers: Object.fromEntries(Object.entries(wire.headers).filter(([name]) => !VOLATILE.has(name))),
  body: wire.body.replace(/"timestamp":"[^"]*"/g, '"timestamp":"…"'),
});

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

interface Case {
  name: string;
  method?: string;
  path: () => string;
  /** Who asks: a role's key, a made-up key, or nobody. */
  as?: 'viewer' | 'worker' | 'admin' | 'invalid' | 'none';
  headers?: Record<string, string>;
  body?: string;
  /** Does it take the fast path (else it is resolveResponse in both apps)? */
  fast: boolean;
  status: number;
}

describe.each(['pglite', 'postgres'] as const)('the tRPC query fast path answers as resolveResponse does, on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let fast: TestServer;
  let slow: FastifyInstance;
  let slowUrl: string;
  let jobId: string;
  const keys: Record<string, string> = {};
  const missing = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    fast = await startTestServer(kind, { authMode: 'keys' });
    slow = await buildApp({
      db: fast.database.db,
      manager: fast.manager,
      access: fast.access,
      webhooks: fast.webhooks,
      bodyLimit: 1024 * 1024,
      logLevel: 'silent',
      authMode: 'keys',
      trpcQueryFastPath: false,
    });
    await slow.listen({ port: 0, host: '127.0.0.1' });
    slowUrl = `http://127.0.0.1:${(slow.server.address() as { port: number }).port}`;
    jobId = (await fast.manager.createJob(createJobInputSchema.parse({ domain: 'fast-path.example.com' }))).id;
    for (const role of ['viewer', 'worker', 'admin'] as const) keys[role] = (await createKey(fast, role)).key;
    keys.invalid = 'sj_not_a_real_key_0123456789';
  });
  afterAll(async () => {
    await slow?.close();
    await fast?.close();
  });

  const get = (id: unknown) => `/trpc/scrapeJobs.get?batch=1&input=${q({ 0: { id } })}`;
  const cases: Case[] = [
    { name: 'a batched query', path: () => get(jobId), fast: true, status: 200 },
    { name: 'an unbatched query', path: () => `/trpc/scrapeJobs.get?input=${q({ id: jobId })}`, fast: true, status: 200 },
    { name: 'an unknown id', path: () => get(missing), fast: true, status: 404 },
    { name: 'an unknown id, unbatched', path: () => `/trpc/scrapeJobs.get?input=${q({ id: missing })}`, fast: true, status: 404 },
    { name: 'bad input', path: () => get('not-a-uuid'), fast: true, status: 400 },
    { name: 'input of the wrong type', path: () => `/trpc/scrapeJobs.get?batch=1&input=${q({ 0: { id: 7 } })}`, fast: true, status: 400 },
    { name: 'malformed JSON input, batched', path: () => `/trpc/scrapeJobs.get?batch=1&input=%7B%220%22%3A%7Bid`, fast: true, status: 400 },
    { name: 'malformed JSON input, unbatched', path: () => `/trpc/scrapeJobs.get?input=%7Bid`, fast: true, status: 400 },
    { name: 'malformed JSON input in a batch of two', path: () => `/trpc/scrapeJobs.get,scrapeJobs.stats?batch=1&input=nope`, fast: true, status: 400 },
    { name: 'a batch whose input is not an object', path: () => `/trpc/scrapeJobs.get?batch=1&input=5`, fast: true, status: 400 },
    { name: 'a batch whose input is an array', path: () => `/trpc/scrapeJobs.get?batch=1&input=${q([{ id: jobId }])}`, fast: true, status: 400 },
    { name: 'no input', path: () => `/trpc/scrapeJobs.get?batch=1`, fast: true, status: 400 },
    { name: 'an empty input', path: () => `/trpc/scrapeJobs.stats?batch=1&input=`, fast: true, status: 200 },
    { name: 'optional input left out', path: () => `/trpc/scrapeJobs.stats`, fast: true, status: 200 },
    { name: 'the input of a later call only', path: () => `/trpc/scrapeJobs.stats,scrapeJobs.get?batch=1&input=${q({ 1: { id: jobId } })}`, fast: true, status: 200 },
    { name: 'a batch of several queries', path: () => `/trpc/scrapeJobs.get,scrapeJobs.stats,scrapeJobs.list,scrapeJobs.history?batch=1&input=${q({ 0: { id: jobId }, 1: {}, 2: { limit: 5 }, 3: { id: jobId } })}`, fast: true, status: 200 },
    { name: 'success and errors mixed in a batch', path: () => `/trpc/scrapeJobs.get,scrapeJobs.get,scrapeJobs.get?batch=1&input=${q({ 0: { id: jobId }, 1: { id: missing }, 2: { id: 'bad' } })}`, fast: true, status: 207 },
    { name: 'the same error twice in a batch', path: () => `/trpc/scrapeJobs.get,scrapeJobs.get?batch=1&input=${q({ 0: { id: missing }, 1: { id: missing } })}`, fast: true, status: 404 },
    { name: 'no key', as: 'none', path: () => get(jobId), fast: true, status: 401 },
    { name: 'no key, a batch of two', as: 'none', path: () => `/trpc/scrapeJobs.get,scrapeJobs.stats?batch=1&input=${q({ 0: { id: jobId } })}`, fast: true, status: 401 },
    { name: 'an invalid key, unbatched', as: 'invalid', path: () => `/trpc/scrapeJobs.stats`, fast: true, status: 401 },
    { name: 'a role without the permission', as: 'viewer', path: () => `/trpc/apiKeys.list?batch=1&input=${q({})}`, fast: true, status: 403 },
    { name: 'forbidden and allowed in one batch', as: 'worker', path: () => `/trpc/webhooks.list,scrapeJobs.get?batch=1&input=${q({ 1: { id: jobId } })}`, fast: true, status: 207 },
    { name: 'who am I', as: 'viewer', path: () => `/trpc/auth.whoami?batch=1`, fast: true, status: 200 },
    { name: 'a percent-encoded path', path: () => `/trpc/scrapeJobs%2Eget?batch=1&input=${q({ 0: { id: jobId } })}`, fast: true, status: 200 },
    { name: 'batch=true is not a batch', path: () => `/trpc/scrapeJobs.get?batch=true&input=${q({ 0: { id: jobId } })}`, fast: true, status: 400 },
    { name: 'a plus in the input is a space', path: () => `/trpc/scrapeJobs.list?batch=1&input={"0":{"domain":"a+b.example.com"}}`, fast: true, status: 200 },
    { name: 'the first of two inputs', path: () => `${get(jobId)}&input=${q({ 0: { id: missing } })}`, fast: true, status: 200 },
    { name: 'unescaped JSON in the query', path: () => `/trpc/scrapeJobs.get?batch=1&input={"0":{"id":"${jobId}"}}`, fast: true, status: 200 },
    // The rest falls back to resolveResponse in both apps (the comparison checks the wiring).
    { name: 'a mutation via POST', method: 'POST', path: () => `/trpc/scrapeJobs.cancel?batch=1`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 0: { id: missing } }), fast: false, status: 404 },
    { name: 'a refused mutation via POST', method: 'POST', path: () => `/trpc/scrapeJobs.create`, headers: { 'content-type': 'application/json' }, body: '{"domain":""}', fast: false, status: 400 },
    { name: 'a query via POST', method: 'POST', path: () => `/trpc/scrapeJobs.get`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: missing }), fast: false, status: 405 },
    { name: 'a mutation via GET', path: () => `/trpc/scrapeJobs.cancel?input=${q({ id: jobId })}`, fast: false, status: 405 },
    { name: 'a query and a mutation in one batch', path: () => `/trpc/scrapeJobs.get,scrapeJobs.cancel?batch=1&input=${q({ 0: { id: jobId } })}`, fast: false, status: 400 },
    { name: 'an unknown procedure', path: () => `/trpc/scrapeJobs.nope?batch=1`, fast: false, status: 404 },
    { name: 'a prototype key as a path', path: () => `/trpc/constructor?batch=1`, fast: false, status: 404 },
    { name: 'a GET with a content type', path: () => get(jobId), headers: { 'content-type': 'application/json' }, fast: false, status: 200 },
    { name: 'a streamed batch (httpBatchStreamLink)', path: () => get(jobId), headers: { 'trpc-accept': 'application/jsonl' }, fast: false, status: 200 },
    { name: 'connection params', path: () => `${get(jobId)}&connectionParams=${q({ token: 'x' })}`, fast: false, status: 200 },
    { name: 'a URL with a fragment mark', path: () => `${get(jobId)}#x`, fast: false, status: 200 },
    { name: 'a path that does not decode twice', path: () => `/trpc/scrapeJobs.get%2525zz?batch=1`, fast: false, status: 404 },
  ];

  test.each(cases)('$name', async (c) => {
    const as = c.as ?? 'admin';
    const headers = { ...(as === 'none' ? {} : bearer(keys[as]!)), ...c.headers };
    const path = c.path();
    const segment = path.slice('/trpc/'.length).split(/[?#]/)[0]!;
    expect(planQueries(appRouter, decodeURIComponent(segment), c.method ?? 'GET', path, headers) !== undefined).toBe(c.fast);

    const viaFast = await send(fast.url, c.method ?? 'GET', path, headers, c.body);
    const viaSlow = await send(slowUrl, c.method ?? 'GET', path, headers, c.body);
    expect(viaFast.status).toBe(c.status);
    expect(comparable(viaFast)).toEqual(comparable(viaSlow));
    if (c.fast) {
      expect(viaFast.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(viaFast.headers['content-length']).toBe(String(Buffer.byteLength(viaFast.body)));
      expect(viaFast.headers.vary).toBe('trpc-accept, accept, Origin');
    }
  });
});
