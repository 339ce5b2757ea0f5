/**
 * AUTH_MODE=open (local use): no key acts as the open principal (admin of every tenant), but
 * a key that is sent is still checked and its role and tenant apply. On PGlite.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, bearer, createKey, snapshot, startTestServer, type TestServer } from './test-server.ts';

describe('AUTH_MODE=open', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { authMode: 'open' });
  });
  afterAll(async () => server?.close());

  const client = (headers: Record<string, string> = {}) => createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/trpc`, headers })] });

  test('without a key: everything is allowed, as admin of every tenant', async () => {
    expect((await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'open.example' })).status).toBe(201);
    expect((await api(server.url, 'GET', '/api/keys')).status).toBe(200);
    const whoami = await client().auth.whoami.query();
    expect(whoami).toEqual({
      mode: 'open',
      principal: { key_id: null, name: 'open access', role: 'admin', tenant_id: null },
      permissions: ['jobs:read', 'jobs:write', 'queue:work', 'webhooks:read', 'webhooks:manage', 'keys:manage'],
    });
  });

  test('a key that is sent is checked: an invalid one is 401 and changes nothing', async () => {
    const before = await snapshot(server);
    const r = await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'invalid-key.example' }, bearer(`sjk_${'y'.repeat(43)}`));
    expect({ status: r.status, error: r.body.error, header: r.headers.get('www-authenticate') }).toEqual({ status: 401, error: 'Invalid API key', header: 'Bearer' });
    const t = await client(bearer('not-a-key')).auth.whoami.query().catch((e: unknown) => e);
    expect(t).toBeInstanceOf(TRPCClientError);
    expect((t as TRPCClientError<AppRouter>).data?.httpStatus).toBe(401);
    expect(await snapshot(server)).toEqual(before);
  });

  test('a key that is sent has its role: a viewer cannot write even in open mode', async () => {
    const viewer = bearer((await createKey(server, 'viewer')).key);
    expect((await api(server.url, 'GET', '/api/scrape-jobs', undefined, viewer)).status).toBe(200);
    const before = await snapshot(server);
    const refused = await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'viewer.example' }, viewer);
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 403, error: 'Forbidden: a viewer key cannot do this' });
    expect(await snapshot(server)).toEqual(before);
    const whoami = await client(viewer).auth.whoami.query();
    expect(whoami.principal.role).toBe('viewer');
    expect(whoami.permissions).toEqual(['jobs:read', 'webhooks:read']);
  });
});
