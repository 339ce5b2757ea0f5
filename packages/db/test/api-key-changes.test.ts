/**
 * Database.onApiKeyChange: the database announces a key whose meaning changed (revoked, its
 * role, …) to every process, so their key caches forget it; a write that changes nothing a
 * key stands for (last_used_at) is not announced; and on PostgreSQL, when the notification
 * connection is lost and comes back, listeners are told that any key may have changed (null).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { raw, sql } from '../src/sql.ts';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '../src/testing/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh database for the enclosing describe, and what its key listener heard. */
function keysDatabase(kind: DatabaseKind) {
  const state = { t: undefined as unknown as TestDatabase, heard: [] as Array<string | null> };
  let stop: (() => void) | undefined;
  beforeAll(async () => {
    state.t = await createTestDatabase(kind);
    stop = state.t.db.onApiKeyChange((keyId) => state.heard.push(keyId));
  });
  afterAll(async () => {
    stop?.();
    await state.t?.destroy();
  });
  const newKey = async (name: string) =>
    (await state.t.db.queryRows<{ id: string }>(sql`
      INSERT INTO api_keys (name, role, key_hash, key_prefix)
      VALUES (${name}, 'viewer', encode(sha256(convert_to(${name}::text, 'UTF8')), 'hex'), 'sjk_test') RETURNING id`))[0]!.id;
  const update = (assignments: string, id: string) => state.t.db.queryRows(sql`UPDATE api_keys SET ${raw(assignments)} WHERE id = ${id}::uuid`);
  return { state, newKey, update };
}

describe.each(['pglite', 'postgres'] as const satisfies readonly DatabaseKind[])('API key changes on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  const { state, newKey, update } = keysDatabase(kind);

  test('a revocation, a role change and a deletion are announced with the key; a touch and a creation are not', async () => {
    const [revoked, promoted, deleted, used] = [await newKey('revoked'), await newKey('promoted'), await newKey('deleted'), await newKey('used')];
    await update('last_used_at = now()', used);
    await update('revoked_at = now()', revoked);
    await update(`role = 'operator'`, promoted);
    await state.t.db.queryRows(sql`DELETE FROM api_keys WHERE id = ${deleted}::uuid`);
    await expect.poll(() => state.heard.length).toBe(3);
    // Neither a touch nor a write that keeps the values is announced (a later one would have arrived by now).
    await update(`last_used_at = now() + interval '1 minute'`, used);
    await update('revoked_at = revoked_at', revoked);
    await sleep(200);
    expect(state.heard).toEqual([revoked, promoted, deleted]);
  });
});

describe.skipIf(skipPostgres())('API key changes on postgres, across a lost connection', () => {
  const { state, newKey, update } = keysDatabase('postgres');

  test('when the notification connection comes back, listeners hear that any key may have changed, then each change again', async () => {
    const admin = new pg.Client({ connectionString: state.t.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
      );
      expect(rows[0]!.n).toBe(1);
      await expect.poll(() => state.heard, { timeout: 10_000 }).toEqual([null]);
      const key = await newKey('after');
      await update('revoked_at = now()', key);
      await expect.poll(() => state.heard, { timeout: 5000 }).toEqual([null, key]);
    } finally {
      await admin.end();
    }
  });
});
