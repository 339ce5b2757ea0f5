/**
 * The access service in-process against a real database (PGlite and PostgreSQL): the key
 * cache's revocation delay between processes, last_used_at bookkeeping, tenant-bound admins.
 */
import { createTestDatabase, skipPostgres, type TestDatabase } from '@scrape-jobs/db/testing';
import { DomainError } from '@scrape-jobs/domain';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { callerFor, createAccessService, OPEN_CALLER } from '../src/index.ts';

describe.each(['pglite', 'postgres'] as const)('the access service on %s', (kind) => {
  let t: TestDatabase;
  let now = Date.parse('2026-06-01T10:00:00.000Z');
  const clock = () => new Date(now);
  beforeAll(async () => {
    if (!skipPostgres(kind)) t = await createTestDatabase(kind);
  });
  afterAll(async () => t?.destroy());

  const lastUsed = async (id: string) =>
    (await t.db.prisma.$queryRaw<Array<{ last_used_at: Date | null }>>`SELECT last_used_at FROM api_keys WHERE id = ${id}::uuid`)[0]!.last_used_at;

  test.skipIf(skipPostgres(kind))('a revocation applies at once where it was made and within the cache lifetime (5 s) elsewhere', async () => {
    const here = createAccessService({ db: t.db, clock });
    const elsewhere = createAccessService({ db: t.db, clock });
    const key = await here.createKey({ name: 'ci', role: 'operator' }, OPEN_CALLER);
    expect((await here.principalForSecret(key.key))?.keyId).toBe(key.id);
    expect((await elsewhere.principalForSecret(key.key))?.keyId).toBe(key.id);
    await here.revokeKey(key.id, OPEN_CALLER);
    expect(await here.principalForSecret(key.key)).toBeNull();
    // The other process still trusts its cached lookup…
    now += 4000;
    expect((await elsewhere.principalForSecret(key.key))?.keyId).toBe(key.id);
    // …until it expires.
    now += 1001;
    expect(await elsewhere.principalForSecret(key.key)).toBeNull();
  });

  test.skipIf(skipPostgres(kind))('last_used_at is written on first use and then at most once a minute', async () => {
    const access = createAccessService({ db: t.db, clock, cacheTtlMs: 0 });
    const key = await access.createKey({ name: 'busy', role: 'viewer' }, OPEN_CALLER);
    expect(await lastUsed(key.id)).toBeNull();
    await access.principalForSecret(key.key);
    await expect.poll(() => lastUsed(key.id).then((d) => d?.toISOString())).toBe(new Date(now).toISOString());
    const first = new Date(now).toISOString();
    now += 30_000;
    await access.principalForSecret(key.key);
    now += 29_000;
    await access.principalForSecret(key.key);
    // A write would have landed by now if one had been sent; the value is still the first use.
    await access.listKeys({ include_revoked: true }, OPEN_CALLER);
    expect((await lastUsed(key.id))?.toISOString()).toBe(first);
    now += 2000;
    await access.principalForSecret(key.key);
    await expect.poll(() => lastUsed(key.id).then((d) => d?.toISOString())).toBe(new Date(now).toISOString());
  });

  test.skipIf(skipPostgres(kind))('anything that is not a key of ours is refused without a lookup; revoked keys are unknown', async () => {
    const access = createAccessService({ db: t.db, clock });
    for (const secret of ['', 'Bearer', 'sjk_short', `sjk_${'a'.repeat(44)}`, `xyz_${'a'.repeat(43)}`]) expect(await access.principalForSecret(secret)).toBeNull();
  });

  test.skipIf(skipPostgres(kind))('a tenant-bound admin manages its own tenant only, and sees only its audit events', async () => {
    const access = createAccessService({ db: t.db, clock });
    const tenantA = '0a0a0a0a-0000-4000-8000-00000000000a';
    const tenantB = '0b0b0b0b-0000-4000-8000-00000000000b';
    const adminA = callerFor({ principal: { keyId: null, name: 'admin A', role: 'admin', tenantId: tenantA } });
    const own = await access.createKey({ name: 'a viewer', role: 'viewer' }, adminA);
    expect(own.tenant_id).toBe(tenantA);
    const other = await access.createKey({ name: 'b viewer', role: 'viewer', tenant_id: tenantB }, OPEN_CALLER);
    await expect(access.createKey({ name: 'x', role: 'viewer', tenant_id: tenantB }, adminA)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(access.revokeKey(other.id, adminA)).rejects.toEqual(new DomainError('NOT_FOUND', 'API key not found'));
    expect((await access.listKeys({ include_revoked: true }, adminA)).map((k) => k.id)).toEqual([own.id]);
    const { events } = await access.listAuditEvents({ limit: 50, offset: 0 }, adminA);
    expect(events.map((e) => [e.action, e.subject_id])).toEqual([['api_key.created', own.id]]);
    // Revoking twice is a no-op: one audit event.
    await access.revokeKey(own.id, adminA);
    await access.revokeKey(own.id, adminA);
    const after = await access.listAuditEvents({ limit: 50, offset: 0, subject_id: own.id }, adminA);
    expect(after.events.map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.created']);
  });
});
