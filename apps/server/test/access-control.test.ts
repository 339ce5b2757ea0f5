/**
 * Access control over real HTTP (AUTH_MODE=keys), on PGlite and on PostgreSQL: every REST
 * route and every tRPC procedure against every kind of caller — no key, an invalid key, a
 * revoked key, each role, and a key of tenant A against tenant B's job, key or webhook — with
 * the status each must get. Every refusal leaves every table as it was. A route or procedure
 * the table does not name fails the suite, so a new one cannot slip past.
 *
 * Each case gets fresh fixtures of its own tenant ("tenant B"): a running job held by a
 * worker (with its claim token), a pending job, a failed job, a key, and a webhook endpoint
 * with a finished delivery, so an allowed call succeeds exactly as it would alone.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { appRouter, callerFor } from '@scrape-jobs/api';
import { skipPostgres } from '@scrape-jobs/db/testing';
import { can, createJobInputSchema, createWebhookInputSchema, parseInput, type Permission, type Role } from '@scrape-jobs/domain';
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_DASHBOARD_DIR } from '../src/dashboard.ts';
import { api, bearer, createKey, snapshot, startTestServer, type TestServer } from './test-server.ts';

type Client = TRPCClient<AppRouter>;

/** What each case runs against. */
interface Fixtures {
  tenant: string;
  running: { id: string; token: string };
  pending: string;
  failed: string;
  /** A key of the fixtures' tenant, for revocation. */
  key: string;
  /** A webhook endpoint of the fixtures' tenant, and a finished (failed) delivery of it, for redelivery. */
  webhook: string;
  delivery: string;
}

interface Outcome {
  status: number;
  body?: any;
}

/** How a route treats a key of another tenant than the fixtures'. */
type TenantRule = 'hidden' /* 404, the job's existence not leaked */ | 'scoped' /* 200, none of B's data */ | 'forbidden' /* 403 */;

interface Case {
  name: string;
  permission: Permission | null;
  success: number;
  tenant: TenantRule;
  /** For `scoped`: the answer holds nothing of tenant B. */
  scopedCheck?: (outcome: Outcome, f: Fixtures) => void;
  rest?: (headers: Record<string, string>, f: Fixtures) => Promise<Outcome>;
  trpc?: (client: Client, f: Fixtures) => Promise<unknown>;
}

const page = (url: string) => ({
  url,
  status: 200,
  title: 'A page',
  depth: 0,
  products: [],
  images: 0,
  links: 0,
  documents: 0,
  bytes: 10,
  response_time_ms: 5,
  error: null,
  fetched_at: '2026-05-04T09:00:00.000Z',
});

const uniqueDomain = () => `shop-${randomUUID().slice(0, 8)}.example`;
const HOOK_URL = 'https://hooks.example.com/matrix';

/** A tenant A key's list of endpoints: only tenant A's, never tenant B's fixture. */
function expectOnlyTenantA(endpoints: Array<{ id: string; tenant_id: string | null }>, tenantBWebhook: string): void {
  expect(endpoints.map((e) => e.id)).not.toContain(tenantBWebhook);
  expect(endpoints.every((e) => e.tenant_id === TENANT_A)).toBe(true);
}

/** A batch completion of tenant B's job by a tenant A key: refused as unknown, nothing completed. */
const otherTenantsCompletion = (f: Fixtures) => ({ completed: [], refused: [{ id: f.running.id, error: { code: 'NOT_FOUND', message: 'Job not found' } }] });

const CASES = (): Case[] => [
  // ── REST ──
  {
    name: 'GET /api/scrape-jobs',
    permission: 'jobs:read',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data).toEqual([]),
    rest: (h, f) => api(url, 'GET', `/api/scrape-jobs?customer_config_id=${f.tenant}`, undefined, h),
  },
  {
    name: 'POST /api/scrape-jobs',
    permission: 'jobs:write',
    success: 201,
    tenant: 'forbidden',
    rest: (h, f) => api(url, 'POST', '/api/scrape-jobs', { domain: uniqueDomain(), customer_config_id: f.tenant }, h),
  },
  {
    name: 'GET /api/scrape-jobs/stats',
    permission: 'jobs:read',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data.overview.totalJobs).toBe(0),
    rest: (h, f) => api(url, 'GET', `/api/scrape-jobs/stats?customer_config_id=${f.tenant}`, undefined, h),
  },
  {
    name: 'GET /api/scrape-jobs/next',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data).toBeNull(),
    rest: (h) => api(url, 'GET', '/api/scrape-jobs/next', undefined, h),
  },
  {
    name: 'POST /api/scrape-jobs/next',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data).toBeNull(),
    rest: (h) => api(url, 'POST', '/api/scrape-jobs/next', { worker_id: 'matrix-worker' }, h),
  },
  {
    name: 'POST /api/scrape-jobs/next/batch',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data).toEqual([]),
    rest: (h) => api(url, 'POST', '/api/scrape-jobs/next/batch', { worker_id: 'matrix-worker', limit: 5 }, h),
  },
  {
    name: 'POST /api/scrape-jobs/complete',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o, f) => expect(o.body.data).toEqual(otherTenantsCompletion(f)),
    rest: (h, f) => api(url, 'POST', '/api/scrape-jobs/complete', { jobs: [{ id: f.running.id, claim_token: f.running.token }] }, h),
  },
  { name: 'GET /api/scrape-jobs/:id', permission: 'jobs:read', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'GET', `/api/scrape-jobs/${f.pending}`, undefined, h) },
  {
    name: 'PUT /api/scrape-jobs/:id (no claim token)',
    permission: 'jobs:write',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'PUT', `/api/scrape-jobs/${f.pending}`, { metadata: { note: 'edited' } }, h),
  },
  {
    name: 'PUT /api/scrape-jobs/:id (claim token)',
    permission: 'queue:work',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'PUT', `/api/scrape-jobs/${f.running.id}`, { claim_token: f.running.token, metadata: { note: 'progress' } }, h),
  },
  { name: 'DELETE /api/scrape-jobs/:id', permission: 'jobs:write', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'DELETE', `/api/scrape-jobs/${f.pending}`, undefined, h) },
  { name: 'POST /api/scrape-jobs/:id/retry', permission: 'jobs:write', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'POST', `/api/scrape-jobs/${f.failed}/retry`, {}, h) },
  { name: 'GET /api/scrape-jobs/:id/history', permission: 'jobs:read', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'GET', `/api/scrape-jobs/${f.pending}/history`, undefined, h) },
  { name: 'GET /api/scrape-jobs/:id/results', permission: 'jobs:read', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'GET', `/api/scrape-jobs/${f.running.id}/results`, undefined, h) },
  {
    name: 'POST /api/scrape-jobs/:id/heartbeat',
    permission: 'queue:work',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'POST', `/api/scrape-jobs/${f.running.id}/heartbeat`, { claim_token: f.running.token }, h),
  },
  {
    name: 'POST /api/scrape-jobs/:id/pages',
    permission: 'queue:work',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'POST', `/api/scrape-jobs/${f.running.id}/pages`, { claim_token: f.running.token, pages: [page('https://a.example/')] }, h),
  },
  {
    name: 'GET /api/keys',
    permission: 'keys:manage',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data.every((k: { tenant_id: string }) => k.tenant_id === TENANT_A)).toBe(true),
    rest: (h) => api(url, 'GET', '/api/keys', undefined, h),
  },
  {
    name: 'POST /api/keys',
    permission: 'keys:manage',
    success: 201,
    tenant: 'forbidden',
    rest: (h, f) => api(url, 'POST', '/api/keys', { name: 'made in the matrix', role: 'viewer', tenant_id: f.tenant }, h),
  },
  { name: 'DELETE /api/keys/:id', permission: 'keys:manage', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'DELETE', `/api/keys/${f.key}`, undefined, h) },
  {
    name: 'GET /api/audit',
    permission: 'keys:manage',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.data.every((e: { tenant_id: string }) => e.tenant_id === TENANT_A)).toBe(true),
    rest: (h) => api(url, 'GET', '/api/audit', undefined, h),
  },

  {
    name: 'GET /api/webhooks',
    permission: 'webhooks:read',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o, f) => expectOnlyTenantA(o.body.data, f.webhook),
    rest: (h) => api(url, 'GET', '/api/webhooks', undefined, h),
  },
  {
    name: 'POST /api/webhooks',
    permission: 'webhooks:manage',
    success: 201,
    tenant: 'forbidden',
    rest: (h, f) => api(url, 'POST', '/api/webhooks', { url: HOOK_URL, tenant_id: f.tenant }, h),
  },
  { name: 'GET /api/webhooks/:id', permission: 'webhooks:read', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'GET', `/api/webhooks/${f.webhook}`, undefined, h) },
  {
    name: 'PATCH /api/webhooks/:id',
    permission: 'webhooks:manage',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'PATCH', `/api/webhooks/${f.webhook}`, { description: 'edited' }, h),
  },
  {
    name: 'PUT /api/webhooks/:id',
    permission: 'webhooks:manage',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'PUT', `/api/webhooks/${f.webhook}`, { active: false }, h),
  },
  { name: 'DELETE /api/webhooks/:id', permission: 'webhooks:manage', success: 200, tenant: 'hidden', rest: (h, f) => api(url, 'DELETE', `/api/webhooks/${f.webhook}`, undefined, h) },
  {
    name: 'POST /api/webhooks/:id/rotate-secret',
    permission: 'webhooks:manage',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'POST', `/api/webhooks/${f.webhook}/rotate-secret`, {}, h),
  },
  { name: 'POST /api/webhooks/:id/test', permission: 'webhooks:manage', success: 202, tenant: 'hidden', rest: (h, f) => api(url, 'POST', `/api/webhooks/${f.webhook}/test`, undefined, h) },
  {
    name: 'GET /api/webhooks/:id/deliveries',
    permission: 'webhooks:read',
    success: 200,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'GET', `/api/webhooks/${f.webhook}/deliveries`, undefined, h),
  },
  {
    name: 'POST /api/webhooks/deliveries/:id/redeliver',
    permission: 'webhooks:manage',
    success: 202,
    tenant: 'hidden',
    rest: (h, f) => api(url, 'POST', `/api/webhooks/deliveries/${f.delivery}/redeliver`, undefined, h),
  },

  // ── tRPC ──
  {
    name: 'scrapeJobs.list',
    permission: 'jobs:read',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.jobs).toEqual([]),
    trpc: (c, f) => c.scrapeJobs.list.query({ customer_config_id: f.tenant }),
  },
  { name: 'scrapeJobs.create', permission: 'jobs:write', success: 200, tenant: 'forbidden', trpc: (c, f) => c.scrapeJobs.create.mutate({ domain: uniqueDomain(), customer_config_id: f.tenant }) },
  { name: 'scrapeJobs.get', permission: 'jobs:read', success: 200, tenant: 'hidden', trpc: (c, f) => c.scrapeJobs.get.query({ id: f.pending }) },
  { name: 'scrapeJobs.update (no claim token)', permission: 'jobs:write', success: 200, tenant: 'hidden', trpc: (c, f) => c.scrapeJobs.update.mutate({ id: f.pending, metadata: { note: 'edited' } }) },
  {
    name: 'scrapeJobs.update (claim token)',
    permission: 'queue:work',
    success: 200,
    tenant: 'hidden',
    trpc: (c, f) => c.scrapeJobs.update.mutate({ id: f.running.id, claim_token: f.running.token, metadata: { note: 'progress' } }),
  },
  { name: 'scrapeJobs.cancel', permission: 'jobs:write', success: 200, tenant: 'hidden', trpc: (c, f) => c.scrapeJobs.cancel.mutate({ id: f.pending }) },
  { name: 'scrapeJobs.retry', permission: 'jobs:write', success: 200, tenant: 'hidden', trpc: (c, f) => c.scrapeJobs.retry.mutate({ id: f.failed }) },
  {
    name: 'scrapeJobs.stats',
    permission: 'jobs:read',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.overview.totalJobs).toBe(0),
    trpc: (c, f) => c.scrapeJobs.stats.query({ customer_config_id: f.tenant }),
  },
  { name: 'scrapeJobs.history', permission: 'jobs:read', success: 200, tenant: 'hidden', trpc: (c, f) => c.scrapeJobs.history.query({ id: f.pending }) },
  { name: 'scrapeJobs.results', permission: 'jobs:read', success: 200, tenant: 'hidden', trpc: (c, f) => c.scrapeJobs.results.query({ id: f.running.id }) },
  { name: 'queue.peek', permission: 'queue:work', success: 200, tenant: 'scoped', scopedCheck: (o) => expect(o.body).toBeNull(), trpc: (c) => c.queue.peek.query() },
  {
    name: 'queue.claim',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body).toBeNull(),
    trpc: (c) => c.queue.claim.mutate({ worker_id: 'matrix-worker' }),
  },
  {
    name: 'queue.claimBatch',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body).toEqual([]),
    trpc: (c) => c.queue.claimBatch.mutate({ worker_id: 'matrix-worker', limit: 5 }),
  },
  {
    name: 'queue.completeBatch',
    permission: 'queue:work',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o, f) => expect(o.body).toEqual(otherTenantsCompletion(f)),
    trpc: (c, f) => c.queue.completeBatch.mutate({ jobs: [{ id: f.running.id, claim_token: f.running.token }] }),
  },
  { name: 'queue.heartbeat', permission: 'queue:work', success: 200, tenant: 'hidden', trpc: (c, f) => c.queue.heartbeat.mutate({ id: f.running.id, claim_token: f.running.token }) },
  {
    name: 'queue.reportPages',
    permission: 'queue:work',
    success: 200,
    tenant: 'hidden',
    trpc: (c, f) => c.queue.reportPages.mutate({ id: f.running.id, claim_token: f.running.token, pages: [page('https://a.example/')] }),
  },
  { name: 'queue.release', permission: 'queue:work', success: 200, tenant: 'hidden', trpc: (c, f) => c.queue.release.mutate({ id: f.running.id, claim_token: f.running.token }) },
  {
    name: 'apiKeys.list',
    permission: 'keys:manage',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.every((k: { tenant_id: string }) => k.tenant_id === TENANT_A)).toBe(true),
    trpc: (c) => c.apiKeys.list.query(),
  },
  { name: 'apiKeys.create', permission: 'keys:manage', success: 200, tenant: 'forbidden', trpc: (c, f) => c.apiKeys.create.mutate({ name: 'made in the matrix', role: 'viewer', tenant_id: f.tenant }) },
  { name: 'apiKeys.revoke', permission: 'keys:manage', success: 200, tenant: 'hidden', trpc: (c, f) => c.apiKeys.revoke.mutate({ id: f.key }) },
  {
    name: 'audit.list',
    permission: 'keys:manage',
    success: 200,
    tenant: 'scoped',
    scopedCheck: (o) => expect(o.body.events.every((e: { tenant_id: string }) => e.tenant_id === TENANT_A)).toBe(true),
    trpc: (c) => c.audit.list.query(),
  },
  { name: 'webhooks.list', permission: 'webhooks:read', success: 200, tenant: 'scoped', scopedCheck: (o, f) => expectOnlyTenantA(o.body, f.webhook), trpc: (c) => c.webhooks.list.query() },
  { name: 'webhooks.get', permission: 'webhooks:read', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.get.query({ id: f.webhook }) },
  { name: 'webhooks.create', permission: 'webhooks:manage', success: 200, tenant: 'forbidden', trpc: (c, f) => c.webhooks.create.mutate({ url: HOOK_URL, tenant_id: f.tenant }) },
  { name: 'webhooks.update', permission: 'webhooks:manage', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.update.mutate({ id: f.webhook, description: 'edited' }) },
  { name: 'webhooks.delete', permission: 'webhooks:manage', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.delete.mutate({ id: f.webhook }) },
  { name: 'webhooks.rotateSecret', permission: 'webhooks:manage', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.rotateSecret.mutate({ id: f.webhook }) },
  { name: 'webhooks.test', permission: 'webhooks:manage', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.test.mutate({ id: f.webhook }) },
  { name: 'webhooks.deliveries', permission: 'webhooks:read', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.deliveries.query({ id: f.webhook }) },
  { name: 'webhooks.redeliver', permission: 'webhooks:manage', success: 200, tenant: 'hidden', trpc: (c, f) => c.webhooks.redeliver.mutate({ id: f.delivery }) },
  { name: 'auth.whoami', permission: null, success: 200, tenant: 'scoped', scopedCheck: (o) => expect(o.body.principal.tenant_id).toBe(TENANT_A), trpc: (c) => c.auth.whoami.query() },
];

/** The callers: each role without a tenant, an admin of tenant A, and three that are not authenticated. */
type Who = 'no key' | 'invalid key' | 'revoked key' | Role | 'tenant A admin';
const WHO: Who[] = ['no key', 'invalid key', 'revoked key', 'viewer', 'operator', 'worker', 'admin', 'tenant A admin'];
const TENANT_A = '0a0a0a0a-0000-4000-8000-00000000000a';

let url = '';

/** The tRPC subscriptions, whose access checks access-subscriptions.test.ts makes over SSE. */
const SUBSCRIPTIONS_TESTED_ELSEWHERE = ['scrapeJobs.onChange'];

function expectedStatus(who: Who, c: Case): number {
  if (who === 'no key' || who === 'invalid key' || who === 'revoked key') return 401;
  if (who === 'tenant A admin') return { hidden: 404, scoped: c.success, forbidden: 403 }[c.tenant];
  return c.permission === null || can({ keyId: 'k', name: who, role: who, tenantId: null }, c.permission) ? c.success : 403;
}

const EXPECTED_SENTENCE: Record<number, RegExp> = {
  401: /^(Authentication required|Invalid API key)$/,
  403: /^Forbidden: /,
  404: /^(Job not found|API key not found|Webhook not found|Delivery not found)$/,
};

describe.each(['pglite', 'postgres'] as const)('access control on %s (AUTH_MODE=keys)', (kind) => {
  let server: TestServer;
  const headersOf = {} as Record<Who, Record<string, string>>;

  beforeAll(async () => {
    if (skipPostgres(kind)) return;
    server = await startTestServer(kind, { authMode: 'keys' });
    url = server.url;
    headersOf['no key'] = {};
    headersOf['invalid key'] = bearer(`sjk_${'x'.repeat(43)}`);
    const revoked = await createKey(server, 'admin', null, 'revoked admin');
    await server.access.revokeKey(revoked.id, callerFor({ principal: { keyId: null, name: 'test', role: 'admin', tenantId: null } }));
    headersOf['revoked key'] = bearer(revoked.key);
    for (const role of ['viewer', 'operator', 'worker', 'admin'] as const) headersOf[role] = bearer((await createKey(server, role)).key);
    headersOf['tenant A admin'] = bearer((await createKey(server, 'admin', TENANT_A)).key);
  });
  afterAll(async () => server?.close());

  /** Fresh jobs of a fresh tenant: one running (held by worker-1), one pending, one failed; and a key. */
  async function fixtures(): Promise<Fixtures> {
    const tenant = randomUUID();
    const system = callerFor({ principal: { keyId: null, name: 'fixtures', role: 'admin', tenantId: tenant } });
    const m = server.manager;
    const job = (priority: number) => m.createJob(parseInput(createJobInputSchema, { domain: uniqueDomain(), priority }), system);
    // Claims are confined to this tenant, so each claim takes the job just created.
    const running = await job(10);
    const claimed = (await m.claimNextJob({ workerId: 'worker-1' }, system))!;
    expect(claimed.id).toBe(running.id);
    const failing = await job(10);
    const failingClaim = (await m.claimNextJob({ workerId: 'worker-1' }, system))!;
    expect(failingClaim.id).toBe(failing.id);
    await m.updateJob(failing.id, { claim_token: failingClaim.claim_token, status: 'failed', error_message: 'boom' }, system);
    const pending = await job(1);
    const key = await createKey(server, 'viewer', tenant, 'tenant B viewer');
    const webhook = await server.webhooks.create(parseInput(createWebhookInputSchema, { url: HOOK_URL }), system);
    expect(webhook.tenant_id).toBe(tenant);
    const ping = await server.webhooks.test(webhook.id, system);
    // Only a finished delivery can be redelivered. No dispatcher runs here (it would change the
    // tables under the snapshots), so the ping is marked failed as one would after its last attempt.
    await server.database.db.prisma.$executeRaw`
      UPDATE webhook_deliveries SET status = 'failed', attempts = 1, last_error = 'connection refused' WHERE id = ${ping.delivery_id}::bigint`;
    return {
      tenant,
      running: { id: claimed.id, token: claimed.claim_token },
      pending: pending.id,
      failed: failing.id,
      key: key.id,
      webhook: webhook.id,
      delivery: ping.delivery_id,
    };
  }

  async function viaTrpc(headers: Record<string, string>, call: (client: Client) => Promise<unknown>): Promise<Outcome & { message?: string }> {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: { ...headers, 'x-worker-id': 'matrix-worker' } })] });
    try {
      return { status: 200, body: await call(client) };
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      return { status: (error.data as { httpStatus?: number } | undefined)?.httpStatus ?? -1, message: error.message };
    }
  }

  const table = CASES().flatMap((c) => WHO.map((who) => ({ c, who })));
  // A refusal changes nothing, so refusals share one set of fixtures; a success gets its own.
  let shared: Fixtures | undefined;

  test.skipIf(skipPostgres(kind)).each(table.map(({ c, who }) => [c.name, who, c] as const))('%s as %s', async (_name, who, c) => {
    const expected = expectedStatus(who, c);
    const f = expected < 400 ? await fixtures() : (shared ??= await fixtures());
    const before = await snapshot(server);
    const outcome = c.rest ? await c.rest(headersOf[who], f) : await viaTrpc(headersOf[who], (client) => c.trpc!(client, f));
    expect({ status: outcome.status, body: outcome.status === expected ? undefined : outcome.body }).toEqual({ status: expected, body: undefined });
    if (expected >= 400) {
      const sentence = c.rest ? outcome.body.error : (outcome as { message?: string }).message;
      expect(sentence).toMatch(EXPECTED_SENTENCE[expected]!);
      if (c.rest && expected === 401) expect(outcome.body.success).toBe(false);
      expect(await snapshot(server)).toEqual(before);
    }
    if (who === 'tenant A admin' && c.tenant === 'scoped') c.scopedCheck?.(outcome, f);
  });

  test.skipIf(skipPostgres(kind))('the table names every REST route and tRPC procedure the server has, and nothing it does not', () => {
    const cases = CASES();
    const covered = (via: 'rest' | 'trpc') => cases.filter((c) => c[via]).map((c) => c.name.replace(/ \(.*\)$/, ''));
    // HEAD answers like the GET of the same URL, with the same check.
    const gets = new Set(server.routes.filter((r) => r.method === 'GET').map((r) => r.url));
    const served = server.routes.filter((r) => !(r.method === 'HEAD' && gets.has(r.url)));
    const rest = served.filter((r) => r.url.startsWith('/api/')).map((r) => `${r.method} ${r.url}`);
    expect({ untested: rest.filter((r) => !covered('rest').includes(r)), unknown: covered('rest').filter((r) => !rest.includes(r)) }).toEqual({ untested: [], unknown: [] });

    // Outside /api: the public health check, the tRPC endpoint (its procedures below) and the
    // dashboard's static files (public by design; they exist only once apps/web is built).
    const others = served.filter((r) => !r.url.startsWith('/api/'));
    const dashboardFile = (r: { method: string; url: string }) =>
      (r.method === 'GET' || r.method === 'HEAD') && (r.url === '/' || r.url === '/assets/*' || existsSync(join(DEFAULT_DASHBOARD_DIR, r.url)));
    expect(others.filter((r) => !(r.url === '/healthz' || r.url === '/trpc/:path' || dashboardFile(r)))).toEqual([]);
    expect(others.map((r) => r.url)).toEqual(expect.arrayContaining(['/healthz', '/trpc/:path']));

    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>);
    const calls = procedures.filter(([, p]) => p._def.type !== 'subscription').map(([path]) => path);
    expect({ untested: calls.filter((p) => !covered('trpc').includes(p)), unknown: covered('trpc').filter((p) => !calls.includes(p)) }).toEqual({ untested: [], unknown: [] });
    // Subscriptions need the SSE client: access-subscriptions.test.ts covers each of them.
    expect(procedures.filter(([, p]) => p._def.type === 'subscription').map(([path]) => path)).toEqual(SUBSCRIPTIONS_TESTED_ELSEWHERE);
  });

  test.skipIf(skipPostgres(kind))('a REST 401 says how to authenticate: WWW-Authenticate: Bearer and how to send a key', async () => {
    const missing = await api(url, 'GET', '/api/scrape-jobs');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.body).toEqual({ success: false, error: 'Authentication required', details: expect.stringContaining('Authorization: Bearer <key>') });
    const invalid = await api(url, 'GET', '/api/scrape-jobs', undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toBe('Bearer');
    expect(invalid.body.error).toBe('Invalid API key');
  });

  test.skipIf(skipPostgres(kind))('/healthz stays public in keys mode', async () => {
    expect((await api(url, 'GET', '/healthz')).status).toBe(200);
  });

  test.skipIf(skipPostgres(kind))('a worker key cannot touch a job another worker holds: a wrong claim token is 409 CLAIM_LOST and changes nothing', async () => {
    const f = await fixtures();
    const wrong = randomUUID();
    const worker = headersOf.worker;
    const before = await snapshot(server);
    const rest = [
      await api(url, 'PUT', `/api/scrape-jobs/${f.running.id}`, { claim_token: wrong, status: 'completed' }, worker),
      await api(url, 'POST', `/api/scrape-jobs/${f.running.id}/heartbeat`, { claim_token: wrong }, worker),
      await api(url, 'POST', `/api/scrape-jobs/${f.running.id}/pages`, { claim_token: wrong, pages: [page('https://b.example/')] }, worker),
    ];
    for (const r of rest) expect({ status: r.status, error: r.body.error }).toEqual({ status: 409, error: 'Claim is no longer held by this worker' });
    const trpc = [
      await viaTrpc(worker, (c) => c.scrapeJobs.update.mutate({ id: f.running.id, claim_token: wrong, status: 'completed' })),
      await viaTrpc(worker, (c) => c.queue.heartbeat.mutate({ id: f.running.id, claim_token: wrong })),
      await viaTrpc(worker, (c) => c.queue.reportPages.mutate({ id: f.running.id, claim_token: wrong, pages: [page('https://b.example/')] })),
      await viaTrpc(worker, (c) => c.queue.release.mutate({ id: f.running.id, claim_token: wrong })),
    ];
    for (const r of trpc) expect({ status: r.status, message: r.message }).toEqual({ status: 409, message: 'Claim is no longer held by this worker' });
    expect(await snapshot(server)).toEqual(before);
  });

  test.skipIf(skipPostgres(kind))('a tenant key sees only its tenant: its jobs are listed, counted and created in it, other tenants’ are not', async () => {
    const tenantB = randomUUID();
    const bOperator = bearer((await createKey(server, 'operator', tenantB)).key);
    const created = await api(url, 'POST', '/api/scrape-jobs', { domain: uniqueDomain() }, bOperator);
    expect(created.status).toBe(201);
    const fetched = await api(url, 'GET', `/api/scrape-jobs/${created.body.data.id}`, undefined, bOperator);
    expect(fetched.body.data.customer_config_id).toBe(tenantB);
    const mine = await api(url, 'GET', '/api/scrape-jobs', undefined, bOperator);
    expect(mine.body.data.map((j: { id: string }) => j.id)).toEqual([created.body.data.id]);
    const stats = await api(url, 'GET', '/api/scrape-jobs/stats', undefined, bOperator);
    expect(stats.body.data.overview.totalJobs).toBe(1);
    const everyone = await api(url, 'GET', '/api/scrape-jobs/stats', undefined, headersOf.admin);
    expect(everyone.body.data.overview.totalJobs).toBeGreaterThan(1);
    // The tenant's worker claims its tenant's job and nothing else.
    const bWorker = bearer((await createKey(server, 'worker', tenantB)).key);
    const claim = await api(url, 'POST', '/api/scrape-jobs/next', { worker_id: 'tenant-b-worker' }, bWorker);
    expect(claim.body.data?.id).toBe(created.body.data.id);
    const again = await api(url, 'POST', '/api/scrape-jobs/next', { worker_id: 'tenant-b-worker' }, bWorker);
    expect(again.body.data).toBeNull();
  });

  test.skipIf(skipPostgres(kind))('key management: create shows the secret once, list never shows it, revoke refuses the key at once and is audited', async () => {
    const admin = headersOf.admin;
    const created = await api(url, 'POST', '/api/keys', { name: 'ci', role: 'operator' }, admin);
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'ci', role: 'operator', tenant_id: null, revoked_at: null });
    expect(created.body.data.key).toMatch(/^sjk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.data.key.startsWith(created.body.data.key_prefix)).toBe(true);
    const secret: string = created.body.data.key;
    const stored = await server.database.db.prisma.$queryRaw<Array<{ key_hash: string }>>`SELECT key_hash FROM api_keys WHERE id = ${created.body.data.id}::uuid`;
    expect(stored[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.key_hash).not.toContain(secret);

    const listed = await api(url, 'GET', '/api/keys', undefined, admin);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain(stored[0]!.key_hash);
    expect((await api(url, 'GET', '/api/scrape-jobs', undefined, bearer(secret))).status).toBe(200);

    const revoked = await api(url, 'DELETE', `/api/keys/${created.body.data.id}`, undefined, admin);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revoked_at).not.toBeNull();
    const refused = await api(url, 'GET', '/api/scrape-jobs', undefined, bearer(secret));
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 401, error: 'Invalid API key' });

    const audit = await api(url, 'GET', `/api/audit?subject_id=${created.body.data.id}`, undefined, admin);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(['api_key.revoked', 'api_key.created']);
    expect(audit.body.data[1]).toMatchObject({ subject_type: 'api_key', actor: expect.stringMatching(/^key:/), key_id: expect.any(String), request_id: expect.any(String) });
    expect(JSON.stringify(audit.body)).not.toContain(secret);
  });

  test.skipIf(skipPostgres(kind))('bad key-management input gets a sentence and changes nothing', async () => {
    const admin = headersOf.admin;
    const before = await snapshot(server);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/keys', { name: 'x', role: 'root' }, 'Invalid role: "root" (expected one of admin, operator, viewer, worker)'],
      ['POST', '/api/keys', { role: 'viewer' }, 'name is required'],
      ['POST', '/api/keys', { name: 'x', role: 'viewer', tenant_id: 'nope' }, 'tenant_id must be a UUID'],
      ['POST', '/api/keys', { name: 'x', role: 'viewer', extra: 1 }, 'Unknown field: extra'],
      ['DELETE', '/api/keys/not-a-uuid', undefined, 'Invalid API key id: must be a UUID'],
      ['DELETE', `/api/keys/${randomUUID()}`, undefined, 'API key not found'],
      ['GET', '/api/audit?limit=0', undefined, ''],
    ];
    for (const [method, path, body, sentence] of cases) {
      const r = await api(url, method, path, body, admin);
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path}`).toBeLessThan(500);
      if (sentence) expect(r.body.error).toBe(sentence);
    }
    expect(await snapshot(server)).toEqual(before);
  });
});
