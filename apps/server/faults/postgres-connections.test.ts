/**
 * The database's connections die under load (`pg_terminate_backend` on every connection of
 * the server's database, several times): the server keeps answering — refusals are clean
 * 503s with the envelope, never a crash or a driver dump — recovers by itself, loses no
 * acknowledged change, and its change feed comes back.
 */
import { skipPostgres } from '@scrape-jobs/db/testing';
import type { JobChange } from '@scrape-jobs/domain';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from '../test/test-server.ts';

describe.skipIf(skipPostgres())('PostgreSQL connections killed under load', { timeout: 120_000 }, () => {
  let server: TestServer;
  let admin: pg.Client;

  beforeAll(async () => {
    server = await startTestServer('postgres');
    admin = new pg.Client({ connectionString: server.database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.close();
  });

  const killConnections = async () =>
    (await admin.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows[0].n as number;

  test('answers stay clean, every acknowledged write is there afterwards, and the feed resumes', async () => {
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let kills = 0;
    let stop = false;
    const load = async (lane: number) => {
      for (let i = 0; !stop; i++) {
        const r = await api(server.url, 'POST', '/api/scrape-jobs', { domain: `kill-${lane}-${i}.example` });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 201) acknowledged.push(r.body.data.id);
        else {
          expect([503, 500], JSON.stringify(r.body)).toContain(r.status);
          expect(r.body.success).toBe(false);
          expect(r.body.error).toMatch(/Database unavailable|Failed to create scrape job/);
        }
      }
    };
    const lanes = [0, 1, 2, 3].map(load);
    const started = Date.now();
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      kills += await killConnections();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(lanes);

    // Recovered by itself: a fresh request works, and every acknowledged job exists.
    let recoveredAfterMs = 0;
    for (const t0 = Date.now(); ; ) {
      const r = await api(server.url, 'GET', '/healthz');
      if (r.status === 200) break;
      if (Date.now() - t0 > 10_000) throw new Error('the server did not recover');
      await new Promise((resolve) => setTimeout(resolve, 50));
      recoveredAfterMs = Date.now() - t0;
    }
    const stored = await admin.query('SELECT id FROM scrape_jobs WHERE id = ANY($1::uuid[])', [acknowledged]);
    expect(stored.rowCount).toBe(acknowledged.length);
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(kills).toBeGreaterThan(0);

    // The change feed's LISTEN connection was killed too; it reconnects and delivers again.
    const seen: JobChange[] = [];
    const unsubscribe = server.manager.onJobChange((change) => seen.push(change));
    try {
      const deadline = Date.now() + 10_000;
      for (let i = 0; seen.length === 0 && Date.now() < deadline; i++) {
        await api(server.url, 'POST', '/api/scrape-jobs', { domain: `after-kill-${i}.example` });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      unsubscribe();
    }
    console.log(
      `faults: ${kills} connections terminated over ${Date.now() - started} ms; answers ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `${acknowledged.length} acknowledged creates all stored; healthy again after ${recoveredAfterMs} ms`,
    );
  });
});
