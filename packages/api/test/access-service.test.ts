/**
 * The access service in-process against a real database (PGlite and PostgreSQL): how a
 * revocation reaches the key caches of other processes, last_used_at bookkeeping,
 * tenant-bound admins.
 */
import { openDatabase } from '@scrape-jobs/db';
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

  test.skipIf(skipPostgres(kind))('a revocation applies at once where it was made, and elsewhere as soon as the database announces it', async () => {
    // Another process: its own connections on PostgreSQL; PGlite has only the one.
    const other = kind === 'postgres' ? await openDatabase({ databaseUrl: t.url, migrate: false }) : t.db;
    try {
      const here = createAccessService({ db: t.db, clock });
      const elsewhere = createAccessService({ db: other, clock });
      const key = await here.createKey({ name: 'ci', role: 'operator' }, OPEN_CALLER);
      expect((await here.principalForSecret(key.key))?.keyId).toBe(key.id);
      expect((await elsewhere.principalForSecret(key.key))?.keyId).toBe(key.id);
      await here.revokeKey(key.id, OPEN_CALLER);
      expect(await here.principalForSecret(key.key)).toBeNull();
      // The clock stands still, so the other's cached lookup never expires: only the news can end it.
      await expect.poll(() => elsewhere.principalForSecret(key.key), { timeout: 5000 }).toBeNull();
    } finally {
      if (other !== t.db) await other.close();
    }
  });

  test.skipIf(skipPostgres(kind))('a key that changes outside the service (its role, by SQL) is looked up afresh', async () => {
    const access = createAccessService({ db: t.db, clock });
    const key = await access.createKey({ name: 'promoted', role: 'viewer' }, OPEN_CALLER);
    expect((await access.principalForSecret(key.key))?.role).toBe('viewer');
    await t.db.prisma.$executeRaw`UPDATE api_keys SET role = 'operator' WHERE id = ${key.id}::uuid`;
    await expect.poll(async () => (await access.principalForSecret(key.key))?.role, { timeout: 5000 }).toBe('operator');
  });

  test.skipIf(skipPostgres(kind))('without the news (no announcement), a cached lookup is trusted for the cache lifetime (5 s) only', async () => {
    const access = createAccessService({ db: t.db, clock });
    const key = await access.createKey({ name: 'quiet', role: 'operator' }, OPEN_CALLER);
    expect((await access.principalForSecret(key.key))?.keyId).toBe(key.id);
    // A revocation the triggers do not see (as if its notification were lost).
    await t.db.prisma.$transaction([
      t.db.prisma.$executeRaw`ALTER TABLE api_keys DISABLE TRIGGER api_keys_notify_update`,
      t.db.prisma.$executeRaw`UPDATE api_keys SET revoked_at = now() WHERE id = ${key.id}::uuid`,
      t.db.prisma.$executeRaw`ALTER TABLE api_keys ENABLE TRIGGER api_keys_notify_update`,
    ]);
    now += 4000;
    expect((await access.principalForSecret(key.key))?.keyId).toBe(key.id);
    now += 1001;
    expect(await access.principalForSecret(key.key)).toBeNull();
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
