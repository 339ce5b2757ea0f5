/**
 * Webhooks with real server processes on one PostgreSQL database: two processes deliver
 * each event exactly once per endpoint (in order per job), and a process SIGKILLed while a
 * receiver holds its request loses no event (another process resends it, same id).
 */
import { createPostgresDatabase, skipPostgres } from '@scrape-jobs/db/testing';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serverDir, startServerProcess, stopServerProcess, type ServerProcess } from './server-process.ts';
import { api } from './test-server.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const spawned: ServerProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
const killAllNow = () => {
  for (const server of spawned) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
};
process.once('exit', killAllNow);

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: serverDir, stdio: 'pipe' });
});
afterAll(async () => {
  await Promise.all(spawned.map((s) => stopServerProcess(s)));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  process.removeListener('exit', killAllNow);
});

async function start(name: string, env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(name, { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_POLL_INTERVAL_MS: '50', ...env });
  spawned.push(server);
  return server;
}

async function database(): Promise<{ url: string; query: <T>(sql: string, params?: unknown[]) => Promise<T[]> }> {
  const created = await createPostgresDatabase();
  const client = new pg.Client({ connectionString: created.url });
  await client.connect();
  cleanups.push(created.drop);
  cleanups.push(() => client.end());
  return { url: created.url, query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[] };
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, seen: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms; ${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skipPostgres())('webhooks with several server processes on one PostgreSQL', { timeout: 120_000 }, () => {
  test('two processes deliver every event exactly once per endpoint, in order per job', async () => {
    const db = await database();
    const [one, two] = await Promise.all([start('hooks-1', { DATABASE_URL: db.url }), start('hooks-2', { DATABASE_URL: db.url })]);
    const first = new WebhookReceiver();
    const second = new WebhookReceiver();
    await first.start();
    await second.start();
    cleanups.push(() => first.stop(), () => second.stop());
    const secrets = [
      (await api(one.url, 'POST', '/api/webhooks', { url: first.url })).body.data.secret as string,
      (await api(two.url, 'POST', '/api/webhooks', { url: second.url })).body.data.secret as string,
    ];

    const jobs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const via = i % 2 === 0 ? one : two;
      const other = i % 2 === 0 ? two : one;
      const created = await api(via.url, 'POST', '/api/scrape-jobs', { domain: `multi-hook-${i}.example.com` });
      expect(created.status).toBe(201);
      const id = created.body.data.id as string;
      jobs.push(id);
      expect((await api(other.url, 'PUT', `/api/scrape-jobs/${id}`, { status: 'running' })).status).toBe(200);
      expect((await api(via.url, 'PUT', `/api/scrape-jobs/${id}`, { status: 'completed', stats: { pagesProcessed: i } })).status).toBe(200);
    }
    const expected = jobs.length * 3;
    const open = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'succeeded'`))[0]!.n);
    await until(async () => (await open()) === 0, 60_000, () => `received ${first.received.length} and ${second.received.length}`);

    for (const [index, receiver] of [first, second].entries()) {
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(expected);
      expect(new Set(ids).size).toBe(expected);
      for (const request of receiver.received) new Webhook(secrets[index]!).verify(request.body, request.headers);
      for (const job of jobs) {
        expect(receiver.received.filter((r) => r.json.job_id === job).map((r) => r.json.new_status)).toEqual(['pending', 'running', 'completed']);
      }
    }
    const attempts = await db.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_attempts`);
    expect(Number(attempts[0]!.n)).toBe(expected * 2);
    expect(one.output() + two.output()).not.toMatch(/webhook dispatch failed/);
  });

  test('a process SIGKILLed mid-delivery loses no event: after its lease expires another process resends it with the same id', async () => {
    const db = await database();
    const env = { DATABASE_URL: db.url, WEBHOOK_TIMEOUT_MS: '4000', WEBHOOK_LEASE_MS: '5000', WEBHOOK_RETRY_SCHEDULE: '0,200ms,200ms,200ms' };
    const doomed = await start('hooks-doomed', env);
    const receiver = new WebhookReceiver();
    await receiver.start();
    cleanups.push(() => receiver.stop());
    const created = await api(doomed.url, 'POST', '/api/webhooks', { url: receiver.url });
    const secret = created.body.data.secret as string;

    receiver.answerNext('hold');
    const job = await api(doomed.url, 'POST', '/api/scrape-jobs', { domain: 'killed-mid-delivery.example.com' });
    const jobId = job.body.data.id as string;
    await receiver.until((got) => got.length === 1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    receiver.release(); // the killed process's socket is gone; nobody reads this answer

    // While no process runs, the job moves on: the outbox keeps the event.
    const pool = new pg.Client({ connectionString: db.url });
    await pool.connect();
    await pool.query(`UPDATE scrape_jobs SET status = 'cancelled', completed_at = now(), updated_at = now() WHERE id = $1`, [jobId]);
    await pool.end();

    const survivor = await start('hooks-survivor', env);
    await receiver.until((got) => got.filter((r) => r.json?.job_id === jobId).length === 3, 30_000);
    const got = receiver.received.filter((r) => r.json.job_id === jobId);
    expect(got[0]!.headers['webhook-id']).toBe(got[1]!.headers['webhook-id']);
    expect(got.map((r) => r.json.new_status)).toEqual(['pending', 'pending', 'cancelled']);
    for (const request of got) new Webhook(secret).verify(request.body, request.headers);

    await until(async () => (await db.query(`SELECT 1 FROM webhook_deliveries WHERE status <> 'succeeded'`)).length === 0, 20_000, () => survivor.output());
    const deliveries = await db.query<{ event_id: string; attempts: number; logged: number }>(
      `SELECT d.event_id, d.attempts, (SELECT count(*)::int FROM webhook_attempts a WHERE a.delivery_id = d.id) AS logged
       FROM webhook_deliveries d ORDER BY d.id`,
    );
    // The killed attempt counts, but only attempts that got an outcome are in the log.
    expect(deliveries).toEqual([
      { event_id: got[0]!.headers['webhook-id'], attempts: 2, logged: 1 },
      { event_id: got[2]!.headers['webhook-id'], attempts: 1, logged: 1 },
    ]);
  });
});
