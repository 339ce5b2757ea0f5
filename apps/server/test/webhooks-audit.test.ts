/**
 * Webhook endpoint changes in the general audit trail (`audit_events`), over real HTTP with
 * API keys, on PGlite and PostgreSQL: create, update, rotate secret and delete each leave one
 * event naming the actor, the key, the request id and the endpoint's tenant, with what changed
 * and never a secret — through REST and tRPC alike.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { skipPostgres } from '@scrape-jobs/db/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, bearer, createKey, startTestServer, type TestServer } from './test-server.ts';

describe.each(['pglite', 'postgres'] as const)('webhook changes in the audit trail on %s', (kind) => {
  let server: TestServer;
  let admin: Record<string, string>;
  const tenant = randomUUID();
  let operator: { id: string; key: string };
  let tenantAdmin: Record<string, string>;
  let otherTenantAdmin: Record<string, string>;

  beforeAll(async () => {
    if (skipPostgres(kind)) return;
    server = await startTestServer(kind, { authMode: 'keys' });
    admin = bearer((await createKey(server, 'admin')).key);
    operator = await createKey(server, 'operator', tenant, 'hooks operator');
    tenantAdmin = bearer((await createKey(server, 'admin', tenant)).key);
    otherTenantAdmin = bearer((await createKey(server, 'admin', randomUUID())).key);
  });
  afterAll(async () => server?.close());

  const as = (requestId: string) => ({ ...bearer(operator.key), 'x-request-id': requestId });
  const eventsOf = async (id: string, headers = admin) => (await api(server.url, 'GET', `/api/audit?subject_type=webhook&subject_id=${id}`, undefined, headers)).body.data;
  /** Every audit row as text, to search for secrets. */
  const allAuditText = async () =>
    (await server.database.db.prisma.$queryRaw<Array<{ text: string }>>`SELECT COALESCE(string_agg(a::text, '|'), '') AS text FROM audit_events a`)[0]!.text;

  test.skipIf(skipPostgres(kind))('REST: create, update, rotate and delete are each one event with actor, key, request id, tenant and changes, never a secret', async () => {
    const created = await api(server.url, 'POST', '/api/webhooks', { url: 'https://hooks.example.com/audit', description: 'first' }, as('req-hook-create'));
    expect(created.status).toBe(201);
    const id: string = created.body.data.id;
    const secrets: string[] = [created.body.data.secret];

    expect((await api(server.url, 'PATCH', `/api/webhooks/${id}`, { description: 'second', active: false }, as('req-hook-patch'))).status).toBe(200);
    expect((await api(server.url, 'PUT', `/api/webhooks/${id}`, { events: ['job_progress'] }, as('req-hook-put'))).status).toBe(200);
    const rotated = await api(server.url, 'POST', `/api/webhooks/${id}/rotate-secret`, { previous_secret_ttl_seconds: 3600 }, as('req-hook-rotate'));
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.data.secret);
    expect((await api(server.url, 'DELETE', `/api/webhooks/${id}`, undefined, as('req-hook-delete'))).status).toBe(200);

    const events = await eventsOf(id);
    const by = { actor: `key:${operator.id}`, key_id: operator.id, subject_type: 'webhook', subject_id: id, tenant_id: tenant };
    expect(events.map((e: { action: string; request_id: string }) => [e.action, e.request_id])).toEqual([
      ['webhook.deleted', 'req-hook-delete'],
      ['webhook.secret_rotated', 'req-hook-rotate'],
      ['webhook.updated', 'req-hook-put'],
      ['webhook.updated', 'req-hook-patch'],
      ['webhook.created', 'req-hook-create'],
    ]);
    for (const event of events) expect(event).toMatchObject(by);
    const [deleted, rotation, put, patch, creation] = events;
    const settings = { url: 'https://hooks.example.com/audit', description: 'first', events: ['job_status_changed'], active: true, tenant_id: tenant, progress_interval_ms: 30000 };
    expect(creation.changes).toEqual(Object.fromEntries(Object.entries(settings).map(([field, value]) => [field, { old: null, new: value }])));
    expect(patch.changes).toEqual({ description: { old: 'first', new: 'second' }, active: { old: true, new: false } });
    expect(put.changes).toEqual({ events: { old: ['job_status_changed'], new: ['job_progress'] } });
    expect(rotation.changes).toEqual({ previous_secret_expires_at: { old: null, new: rotated.body.data.previous_secret_expires_at } });
    expect(deleted.changes).toEqual({
      ...Object.fromEntries(Object.entries(settings).map(([field, value]) => [field, { old: value, new: null }])),
      description: { old: 'second', new: null },
      events: { old: ['job_progress'], new: null },
      active: { old: false, new: null },
    });

    const stored = await allAuditText();
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(stored).not.toContain('whsec_');
  });

  test.skipIf(skipPostgres(kind))('tRPC records the same events; an update that changes nothing and a refused change record none', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/trpc`, headers: () => as('req-trpc') })] });
    const created = await client.webhooks.create.mutate({ url: 'https://hooks.example.com/trpc-audit' });
    await client.webhooks.update.mutate({ id: created.id, description: 'edited' });
    await client.webhooks.update.mutate({ id: created.id, description: 'edited' });
    await client.webhooks.rotateSecret.mutate({ id: created.id, previous_secret_ttl_seconds: 0 });
    const refused = await api(server.url, 'PATCH', `/api/webhooks/${created.id}`, { url: 'http://127.0.0.1/internal' }, as('req-refused'));
    expect(refused.status).toBe(400);
    await client.webhooks.delete.mutate({ id: created.id });

    const events = await eventsOf(created.id);
    expect(events.map((e: { action: string }) => e.action)).toEqual(['webhook.deleted', 'webhook.secret_rotated', 'webhook.updated', 'webhook.created']);
    for (const event of events) expect(event).toMatchObject({ actor: `key:${operator.id}`, key_id: operator.id, request_id: 'req-trpc', tenant_id: tenant });
    expect(events[1].changes).toEqual({ previous_secret_expires_at: { old: null, new: null } });
    expect(await allAuditText()).not.toContain(created.secret);
  });

  test.skipIf(skipPostgres(kind))('a tenant’s admin sees its tenant’s webhook events; another tenant’s admin does not', async () => {
    const created = await api(server.url, 'POST', '/api/webhooks', { url: 'https://hooks.example.com/tenant-audit' }, as('req-tenant'));
    expect(created.status).toBe(201);
    expect((await eventsOf(created.body.data.id, tenantAdmin)).map((e: { action: string }) => e.action)).toEqual(['webhook.created']);
    expect(await eventsOf(created.body.data.id, otherTenantAdmin)).toEqual([]);
  });
});
