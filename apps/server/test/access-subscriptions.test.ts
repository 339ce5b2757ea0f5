/**
 * The change feed (`scrapeJobs.onChange`, server-sent events) under AUTH_MODE=keys, with the
 * real tRPC SSE client: a key in connectionParams (how a browser sends it; EventSource cannot
 * send headers) or in the Authorization header (how the worker sends it), and a tenant's key
 * receiving only its tenant's changes. On PGlite and PostgreSQL.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { skipPostgres } from '@scrape-jobs/db/testing';
import type { JobChange } from '@scrape-jobs/domain';
import { createTRPCClient, httpSubscriptionLink, type TRPCClient, type TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, bearer, createKey, startTestServer, type TestServer } from './test-server.ts';

type Client = TRPCClient<AppRouter>;

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(['pglite', 'postgres'] as const)('the change feed with API keys on %s', (kind) => {
  let server: TestServer;
  let admin: Record<string, string>;
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    if (skipPostgres(kind)) return;
    server = await startTestServer(kind, { authMode: 'keys' });
    admin = bearer((await createKey(server, 'admin')).key);
  });
  afterAll(async () => server?.close());

  const createJob = async (tenant: string) => {
    const created = await api(server.url, 'POST', '/api/scrape-jobs', { domain: `${randomUUID().slice(0, 8)}.example`, customer_config_id: tenant }, admin);
    expect(created.status).toBe(201);
    return created.body.data.id as string;
  };

  /** A subscription that records what it receives, open once a probe job of `tenant` shows up. */
  async function watch(client: Client, probeTenant: string) {
    const events: JobChange[] = [];
    const errors: unknown[] = [];
    const subscription = client.scrapeJobs.onChange.subscribe(undefined, { onData: (c) => void events.push(c), onError: (e) => void errors.push(e) });
    for (let attempt = 0; events.length === 0; attempt++) {
      if (attempt === 20) throw new Error(`the subscription never delivered a probe event (${String(errors[0])})`);
      await createJob(probeTenant);
      const deadline = Date.now() + 500;
      while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.length = 0;
    return { events, errors, close: () => subscription.unsubscribe() };
  }

  test.skipIf(skipPostgres(kind))('a tenant key in connectionParams (the browser way) receives its tenant’s changes and no other tenant’s', async () => {
    const viewerA = (await createKey(server, 'viewer', tenantA)).key;
    const client = createTRPCClient<AppRouter>({
      links: [httpSubscriptionLink({ url: `${server.url}/trpc`, EventSource, connectionParams: () => ({ token: viewerA }) })],
    });
    const feed = await watch(client, tenantA);
    try {
      // B's change is written (and announced) before A's, so once A's has arrived B's would have too.
      const b = await createJob(tenantB);
      const a = await createJob(tenantA);
      await until(() => feed.events.some((e) => e.job_id === a), 'tenant A’s change');
      expect(feed.events.map((e) => e.job_id)).not.toContain(b);
      expect(feed.events.every((e) => e.customer_config_id === tenantA)).toBe(true);
    } finally {
      feed.close();
    }
  });

  test.skipIf(skipPostgres(kind))('a key in the Authorization header (the worker way) works for the feed; a key without a tenant sees every tenant', async () => {
    const worker = (await createKey(server, 'worker')).key;
    const client = createTRPCClient<AppRouter>({
      links: [
        httpSubscriptionLink({
          url: `${server.url}/trpc`,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${worker}` } }) }),
        }),
      ],
    });
    const feed = await watch(client, tenantA);
    try {
      const b = await createJob(tenantB);
      await until(() => feed.events.some((e) => e.job_id === b), 'tenant B’s change');
    } finally {
      feed.close();
    }
  });

  test.skipIf(skipPostgres(kind))('the feed without a key, or with a revoked one, ends with UNAUTHORIZED before any event', async () => {
    const refusal = (connectionParams: Record<string, string> | undefined) =>
      new Promise<{ error: TRPCClientError<AppRouter>; events: number }>((resolve) => {
        const client = createTRPCClient<AppRouter>({
          links: [httpSubscriptionLink({ url: `${server.url}/trpc`, EventSource, ...(connectionParams ? { connectionParams: () => connectionParams } : {}) })],
        });
        let events = 0;
        const subscription = client.scrapeJobs.onChange.subscribe(undefined, {
          onData: () => void events++,
          onError: (error) => {
            subscription.unsubscribe();
            resolve({ error: error as TRPCClientError<AppRouter>, events });
          },
        });
      });
    const none = await refusal(undefined);
    expect({ code: none.error.data?.code, message: none.error.message, events: none.events }).toEqual({ code: 'UNAUTHORIZED', message: 'Authentication required', events: 0 });

    const key = await createKey(server, 'viewer');
    await api(server.url, 'DELETE', `/api/keys/${key.id}`, undefined, admin);
    const revoked = await refusal({ token: key.key });
    expect({ code: revoked.error.data?.code, message: revoked.error.message, events: revoked.events }).toEqual({ code: 'UNAUTHORIZED', message: 'Invalid API key', events: 0 });
  });
});
