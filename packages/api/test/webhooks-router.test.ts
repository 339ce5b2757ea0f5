/**
 * The `webhooks.*` procedures in-process with principals built by hand: who may read and
 * manage, and a tenant-bound principal confined to its own tenant's endpoints.
 */
import { createTestDatabase, type TestDatabase } from '@scrape-jobs/db/testing';
import { DomainError, OPEN_PRINCIPAL, type Principal } from '@scrape-jobs/domain';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callerFor, createCaller, createContextInner, createScrapeJobManager, createWebhookManager } from '../src/index.ts';

const TENANT_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TENANT_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

let database: TestDatabase;
let as: (principal: Partial<Principal>) => ReturnType<typeof createCaller>;

beforeAll(async () => {
  database = await createTestDatabase('pglite');
  const manager = createScrapeJobManager({ db: database.db });
  const webhooks = createWebhookManager({ db: database.db, checkUrl: (url) => (url.includes('10.0.0.1') ? 'refused private' : null) });
  as = (principal) =>
    createCaller(createContextInner({ manager, webhooks, caller: callerFor({ principal: { ...OPEN_PRINCIPAL, keyId: '0b0b0b0b-0000-4000-8000-000000000001', name: 'test', ...principal } }) }));
});
afterAll(async () => database?.destroy());

async function failure(call: Promise<unknown>): Promise<{ code: string; domain: DomainError }> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return { code: (error as TRPCError).code, domain: (error as TRPCError).cause as DomainError };
  }
  throw new Error('expected the call to fail');
}

const endpointCount = async () =>
  (await database.db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM webhook_endpoints`)[0]!.n;

describe('webhooks permissions', () => {
  test('a viewer reads but cannot manage; a worker cannot even read; an operator manages', async () => {
    const operator = as({ role: 'operator' });
    const created = await operator.webhooks.create({ url: 'https://hooks.example.com/a' });
    expect(created.secret).toMatch(/^whsec_/);

    const viewer = as({ role: 'viewer' });
    expect((await viewer.webhooks.list()).map((w) => w.id)).toContain(created.id);
    expect(await viewer.webhooks.get({ id: created.id })).not.toHaveProperty('secret');
    expect(await viewer.webhooks.deliveries({ id: created.id })).toMatchObject({ deliveries: [] });

    const before = await endpointCount();
    for (const call of [
      viewer.webhooks.create({ url: 'https://hooks.example.com/b' }),
      viewer.webhooks.update({ id: created.id, active: false }),
      viewer.webhooks.delete({ id: created.id }),
      viewer.webhooks.rotateSecret({ id: created.id }),
      viewer.webhooks.test({ id: created.id }),
      viewer.webhooks.redeliver({ id: '1' }),
    ]) {
      const { code, domain } = await failure(call);
      expect(code).toBe('FORBIDDEN');
      expect(domain.details).toMatchObject({ required: 'webhooks:manage', role: 'viewer' });
    }
    const worker = as({ role: 'worker' });
    expect((await failure(worker.webhooks.list())).domain.details).toMatchObject({ required: 'webhooks:read' });
    expect(await endpointCount()).toBe(before);
    expect((await operator.webhooks.get({ id: created.id })).active).toBe(true);
  });

  test('a URL the outbound policy refuses is a 400 with its sentence', async () => {
    const { code, domain } = await failure(as({ role: 'admin' }).webhooks.create({ url: 'http://10.0.0.1/h' }));
    expect(code).toBe('BAD_REQUEST');
    expect(domain.message).toBe('refused private');
  });
});

describe('webhooks of a tenant', () => {
  test('a tenant-bound principal sees, manages and creates only its own tenant’s endpoints', async () => {
    const admin = as({ role: 'admin', tenantId: null });
    const ofB = await admin.webhooks.create({ url: 'https://hooks.example.com/b', tenant_id: TENANT_B });
    const global = await admin.webhooks.create({ url: 'https://hooks.example.com/all' });

    const tenantA = as({ role: 'operator', tenantId: TENANT_A });
    const mine = await tenantA.webhooks.create({ url: 'https://hooks.example.com/mine' });
    expect(mine.tenant_id).toBe(TENANT_A);
    expect((await tenantA.webhooks.list()).map((w) => w.id)).toEqual([mine.id]);

    for (const id of [ofB.id, global.id]) {
      for (const call of [
        tenantA.webhooks.get({ id }),
        tenantA.webhooks.update({ id, active: false }),
        tenantA.webhooks.delete({ id }),
        tenantA.webhooks.rotateSecret({ id }),
        tenantA.webhooks.test({ id }),
        tenantA.webhooks.deliveries({ id }),
      ]) {
        const { code, domain } = await failure(call);
        expect(code).toBe('NOT_FOUND');
        expect(domain.message).toBe('Webhook not found');
      }
    }
    // B's ping cannot be redelivered by A either.
    const ping = await admin.webhooks.test({ id: ofB.id });
    expect((await failure(tenantA.webhooks.redeliver({ id: ping.delivery_id }))).domain.message).toBe('Delivery not found');

    // Nor can A bind an endpoint to another tenant or to all tenants.
    for (const call of [
      tenantA.webhooks.create({ url: 'https://hooks.example.com/x', tenant_id: TENANT_B }),
      tenantA.webhooks.update({ id: mine.id, tenant_id: null }),
    ]) {
      expect((await failure(call)).code).toBe('FORBIDDEN');
    }
    expect((await admin.webhooks.get({ id: ofB.id })).active).toBe(true);
    expect((await admin.webhooks.get({ id: mine.id })).tenant_id).toBe(TENANT_A);
    expect((await admin.webhooks.list()).map((w) => w.id)).toEqual(expect.arrayContaining([ofB.id, global.id, mine.id]));
  });

  test('bad input is refused by the schema with a sentence', async () => {
    const admin = as({ role: 'admin' });
    const { code, domain } = await failure(admin.webhooks.create({ url: 'https://example.com', events: ['nope' as never] }));
    expect(code).toBe('BAD_REQUEST');
    expect(domain.message).toBe('Invalid event: "nope" (expected one of job_status_changed, job_progress)');
    expect((await failure(admin.webhooks.get({ id: 'x' }))).domain.message).toBe('Invalid webhook id: must be a UUID');
    expect((await failure(admin.webhooks.redeliver({ id: '0' }))).domain.message).toBe('Invalid delivery id: must be a positive integer');
  });
});
