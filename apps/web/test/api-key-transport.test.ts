/**
 * The key on the wire: a real tRPC server over real HTTP (port 0) records what each call
 * arrives with, as the server's own createContext would read it — the Authorization header
 * on queries, the `token` connection parameter on the SSE stream.
 */
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { EventSource } from 'eventsource';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient, httpLinks } from '../src/trpc.ts';

interface Arrival {
  path: string;
  authorization: string | null;
  connectionParams: Record<string, string | undefined> | null;
}
const arrivals: Arrival[] = [];

const t = initTRPC.context<{ authorization: string | null; connectionParams: Record<string, string | undefined> | null }>().create();
const echoRouter = t.router({
  auth: t.router({ whoami: t.procedure.query(() => ({ mode: 'keys' })) }),
  scrapeJobs: t.router({
    list: t.procedure.query(() => ({ jobs: [] })),
    onChange: t.procedure.subscription(async function* () {
      yield { job_id: 'x' };
    }),
  }),
});

const server = createHTTPServer({
  basePath: '/trpc/',
  router: echoRouter,
  createContext: ({ req, info }) => {
    const context = { authorization: req.headers.authorization ?? null, connectionParams: info.connectionParams };
    for (const call of info.calls) arrivals.push({ path: call.path, ...context });
    return context;
  },
});
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
});
afterAll(async () => {
  delete (globalThis as { EventSource?: unknown }).EventSource;
  await new Promise((resolve) => server.close(resolve));
});

const arrivalsFor = (path: string) => arrivals.filter((a) => a.path === path);

describe('the API key on every call', () => {
  test('queries carry Authorization: Bearer <key>, batched or not', async () => {
    arrivals.length = 0;
    const client = createClient('sj_live_abc', httpLinks(baseUrl));
    await Promise.all([client.auth.whoami.query(), client.scrapeJobs.list.query({})]);
    expect(arrivals).toEqual([
      { path: 'auth.whoami', authorization: 'Bearer sj_live_abc', connectionParams: null },
      { path: 'scrapeJobs.list', authorization: 'Bearer sj_live_abc', connectionParams: null },
    ]);
  });

  test('without a key no Authorization header is sent', async () => {
    arrivals.length = 0;
    await createClient(null, httpLinks(baseUrl)).auth.whoami.query();
    expect(arrivalsFor('auth.whoami')).toEqual([{ path: 'auth.whoami', authorization: null, connectionParams: null }]);
  });

  test('a call with its own key (the sign-in check) sends that key, not the session’s', async () => {
    arrivals.length = 0;
    const client = createClient('old-key', httpLinks(baseUrl));
    await Promise.all([client.auth.whoami.query(undefined, { context: { apiKey: 'candidate-key' } }), client.scrapeJobs.list.query({})]);
    expect(arrivalsFor('auth.whoami')).toEqual([{ path: 'auth.whoami', authorization: 'Bearer candidate-key', connectionParams: null }]);
    expect(arrivalsFor('scrapeJobs.list')).toEqual([{ path: 'scrapeJobs.list', authorization: 'Bearer old-key', connectionParams: null }]);
  });

  test('the change stream carries the key as connectionParams.token', async () => {
    for (const key of ['sj_live_stream', null]) {
      arrivals.length = 0;
      const client = createClient(key, httpLinks(baseUrl));
      await new Promise<void>((resolve, reject) => {
        const subscription = client.scrapeJobs.onChange.subscribe(undefined, {
          onData: () => (subscription.unsubscribe(), resolve()),
          onError: reject,
        });
      });
      expect(arrivalsFor('scrapeJobs.onChange')[0]).toEqual({ path: 'scrapeJobs.onChange', authorization: null, connectionParams: key ? { token: key } : null });
    }
  });
});
