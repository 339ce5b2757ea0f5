/**
 * The built server as real processes: two on one PostgreSQL database share the change feed
 * (a write on one reaches a subscriber on the other), and a second process on a PGlite data
 * directory that is already open refuses to start; and the servers fold the stats changes
 * by themselves.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { createPostgresDatabase, skipPostgres } from '@scrape-jobs/db/testing';
import type { JobChange } from '@scrape-jobs/domain';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serverDir, spawnServerProcess, stopServerProcess, waitHealthy, type ServerProcess } from './server-process.ts';

const spawned: ServerProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

// If the test process dies without running afterAll, take the servers with it.
const killAllNow = () => {
  for (const server of spawned) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
};
process.once('exit', killAllNow);

async function startServer(name: string, env: Record<string, string>): Promise<ServerProcess> {
  const server = await spawnServerProcess(name, env);
  spawned.push(server);
  return server;
}

async function rest(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function trpcClient(base: string) {
  const url = `${base}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpBatchLink({ url }),
      }),
    ],
  });
}

/** Polls `predicate` until it holds; the error says what was seen. */
async function until(predicate: () => boolean, timeoutMs: number, seen: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms; ${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: serverDir, stdio: 'pipe' });
});

afterAll(async () => {
  await Promise.all(spawned.map((server) => stopServerProcess(server)));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  process.removeListener('exit', killAllNow);
});

describe.skipIf(skipPostgres())('two server processes on one PostgreSQL database', { timeout: 60_000 }, () => {
  let one: ServerProcess;
  let two: ServerProcess;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    databaseUrl = database.url;
    cleanups.push(database.drop);
    // Both start at once: migrations are already applied, and the advisory lock serialises the check.
    [one, two] = await Promise.all([
      startServer('server-1', { DATABASE_URL: database.url }),
      startServer('server-2', { DATABASE_URL: database.url }),
    ]);
    await Promise.all([waitHealthy(one), waitHealthy(two)]);
  });

  test('the servers fold the job changes pending for the stats into the rollups by themselves', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const count = async (query: string) => (await client.query<{ n: number }>(query)).rows[0]!.n;
    try {
      const created = await rest(one.url, 'POST', '/api/scrape-jobs', { domain: `fold-${Date.now().toString(36)}.example.com` });
      expect(created.status).toBe(201);
      // Nothing reads the stats here: only the servers' folder (every STATS_FOLD_INTERVAL_MS, 1 s) empties the changes.
      const deadline = Date.now() + 10_000;
      while ((await count('SELECT count(*)::int AS n FROM job_stats_changes')) > 0) {
        if (Date.now() > deadline) throw new Error('the pending stats changes were not folded within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await count('SELECT COALESCE(sum(jobs), 0)::int AS n FROM job_stats_totals')).toBe(await count('SELECT count(*)::int AS n FROM scrape_jobs'));
    } finally {
      await client.end();
    }
  });

  test('a tRPC subscriber on process 2 receives the changes made through REST on process 1', async () => {
    const client = trpcClient(two.url);
    const domain = `multi-${Date.now().toString(36)}.example.com`;
    const changes: JobChange[] = [];
    const errors: unknown[] = [];
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const subscription = client.scrapeJobs.onChange.subscribe(
      { domain },
      {
        onStarted: () => started(),
        onData: (change) => changes.push(change),
        onError: (error) => errors.push(error),
      },
    );
    const seen = () => `changes so far ${JSON.stringify(changes)}; errors ${errors.map(String).join(', ')}`;
    try {
      await Promise.race([
        startedPromise,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`subscription did not start; ${seen()}`)), 10_000)),
      ]);

      const created = await rest(one.url, 'POST', '/api/scrape-jobs', { domain, priority: 7 });
      expect(created.status).toBe(201);
      const id = created.body.data.id as string;

      await until(() => changes.length >= 1, 10_000, seen);

      const running = await rest(one.url, 'PUT', `/api/scrape-jobs/${id}`, { status: 'running', stats: { totalPages: 20 } });
      expect(running.status).toBe(200);
      expect(running.body.data.status).toBe('running');
      const completed = await rest(one.url, 'PUT', `/api/scrape-jobs/${id}`, { status: 'completed', stats: { pagesProcessed: 20 } });
      expect(completed.status).toBe(200);

      await until(() => changes.length >= 3, 10_000, seen);
      // Nothing more than the three changes arrives.
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(errors).toEqual([]);
      expect(changes.map((c) => [c.job_id, c.domain, c.old_status, c.new_status])).toEqual([
        [id, domain, null, 'pending'],
        [id, domain, 'pending', 'running'],
        [id, domain, 'running', 'completed'],
      ]);
      for (const change of changes) expect(change.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      // Process 2 reads the same database.
      const read = await client.scrapeJobs.get.query({ id });
      expect(read).toMatchObject({ id, domain, status: 'completed' });
      expect(read.stats).toMatchObject({ totalPages: 20, pagesProcessed: 20 });
    } finally {
      subscription.unsubscribe();
    }
  });

  test('SIGTERM stops a process promptly and cleanly while a subscriber is connected; the other keeps serving', async () => {
    const client = trpcClient(two.url);
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const subscription = client.scrapeJobs.onChange.subscribe(undefined, { onStarted: () => started(), onError: () => {} });
    try {
      await startedPromise;
      const signalledAt = Date.now();
      two.child.kill('SIGTERM');
      const exit = await Promise.race([
        two.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`server-2 still running 5 s after SIGTERM:\n${two.output()}`)), 5_000),
        ),
      ]);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(3_000);
    } finally {
      subscription.unsubscribe();
    }
    const created = await rest(one.url, 'POST', '/api/scrape-jobs', { domain: `after-stop-${Date.now().toString(36)}.example.com` });
    expect(created.status).toBe(201);
  });
});

// A fresh PGlite data directory takes 3–9 s to initialise, far more on a busy machine.
describe('a PGlite data directory', { timeout: 120_000 }, () => {
  test('a second process on the same directory refuses to start; the first keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scrape-jobs-lock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');

    const first = await startServer('pglite-1', { DATA_DIR: dataDir });
    await waitHealthy(first);
    const health = await rest(first.url, 'GET', '/healthz');
    expect(health.body).toMatchObject({ status: 'ok', database: 'pglite' });

    const second = await startServer('pglite-2', { DATA_DIR: dataDir });
    const exit = await Promise.race([
      second.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`second process still running:\n${second.output()}`)), 30_000)),
    ]);
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(second.output()).toContain('in use by another process');
    expect(second.output()).toContain(dataDir);
    // It never listened.
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();

    // The first one is unharmed and still writes.
    expect(first.child.exitCode).toBeNull();
    const created = await rest(first.url, 'POST', '/api/scrape-jobs', { domain: 'lock-check.example.com' });
    expect(created.status).toBe(201);
    const fetched = await rest(first.url, 'GET', `/api/scrape-jobs/${created.body.data.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.data).toMatchObject({ domain: 'lock-check.example.com', status: 'pending' });
    expect((await rest(first.url, 'GET', '/healthz')).status).toBe(200);
  });
});
