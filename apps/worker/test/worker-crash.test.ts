import { startFixtureSite, type RunningFixtureSite } from '@scrape-jobs/fixture-site';
import type { ClaimSweeper } from '@scrape-jobs/api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startWorker } from '../src/worker.ts';
import { ALLOW_FIXTURE, buildWorker, createJob, getJob, history, isTerminalMove, silentLog, spawnWorker, startTestServer, sweep, waitForJob, type TestServer } from './helpers.ts';

/** Worker processes that die, freeze or are told to stop, against a server with a short claim timeout. */
describe('workers that crash, freeze or shut down', { timeout: 60_000 }, () => {
  let site: RunningFixtureSite;
  let server: TestServer;
  let sweeper: ClaimSweeper;
  const CLAIM_TIMEOUT_MS = 1500;

  beforeAll(async () => {
    buildWorker();
    site = await startFixtureSite({ slowMs: 300 });
    server = await startTestServer('pglite', { claimTimeoutMs: CLAIM_TIMEOUT_MS });
    sweeper = sweep(server, 100);
  });
  afterAll(async () => {
    await sweeper?.stop();
    await server?.close();
    await site?.close();
  });

  const slowJob = (name: string) => createJob(server, { domain: site.domain, metadata: { name }, config: { depth: 4, maxPages: 25, delay: 120 } });

  test('kill -9 mid-job: the claim lapses, the job is released and another worker completes it; history shows the release', async () => {
    const id = await slowJob('crash');
    const a = spawnWorker(server, 'crash-a');
    await waitForJob(server, id, (job) => job.status === 'running' && job.worker_id === 'crash-a' && (job.stats.pagesProcessed ?? 0) >= 2);
    a.child.kill('SIGKILL');
    await a.exited;
    const b = startWorker({ serverUrl: server.url, workerId: 'crash-b', concurrency: 1, heartbeatIntervalMs: 150, pollIntervalMs: 100, allowHosts: ALLOW_FIXTURE, log: silentLog });
    try {
      const done = await waitForJob(server, id, (job) => job.status === 'completed', 30_000);
      expect(done.worker_id).toBe('crash-b');
      expect(done.stats.pagesProcessed).toBe(25);
    } finally {
      await b.stop(0);
    }
    const rows = await history(server, id);
    const moves = rows.map((h) => `${h.action}:${h.from_status}→${h.to_status}:${h.actor}`);
    expect(moves.slice(0, 3)).toEqual(['created:null→pending:api', 'claimed:pending→running:worker:crash-a', 'claim_expired:running→pending:system']);
    expect(moves.slice(-2)).toEqual(['claimed:pending→running:worker:crash-b', 'updated:running→completed:worker:crash-b']);
    // On a loaded machine a live worker can miss its 1.5 s claim too and claim again; every
    // claim in between must still end in a release, never in a second completion.
    const between = moves.slice(3, -2);
    for (let i = 0; i < between.length; i += 2) {
      expect(between[i]).toMatch(/^claimed:pending→running:worker:crash-[ab]$/);
      expect(between[i + 1]).toBe('claim_expired:running→pending:system');
    }
    expect(rows[2]!.changes.worker_id).toEqual({ old: 'crash-a', new: null });
    expect(rows[2]!.reason).toMatch(/Claim expired: worker crash-a/);
  });

  test('SIGSTOP past the claim, another worker takes the job, SIGCONT: the paused worker’s writes are refused', async () => {
    const id = await slowJob('frozen');
    const a = spawnWorker(server, 'frozen-a');
    await waitForJob(server, id, (job) => job.status === 'running' && job.worker_id === 'frozen-a' && (job.stats.pagesProcessed ?? 0) >= 2);
    a.child.kill('SIGSTOP');
    const b = startWorker({ serverUrl: server.url, workerId: 'frozen-b', concurrency: 1, heartbeatIntervalMs: 150, pollIntervalMs: 100, allowHosts: ALLOW_FIXTURE, log: silentLog });
    try {
      await waitForJob(server, id, (job) => job.status === 'running' && job.worker_id === 'frozen-b', 20_000);
      a.child.kill('SIGCONT');
      const done = await waitForJob(server, id, (job) => job.status === 'completed', 30_000);
      expect(done.worker_id).toBe('frozen-b');
      // give the woken worker time to try its late writes
      const deadline = Date.now() + 10_000;
      while (!a.lines.some((line) => line.includes('"outcome":"lost"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(a.lines.some((line) => line.includes('"outcome":"lost"'))).toBe(true);
      const after = await getJob(server, id);
      expect(after.updated_at).toBe(done.updated_at);
      expect(after.stats).toEqual(done.stats);
      const terminal = (await history(server, id)).filter(isTerminalMove);
      expect(terminal.map((h) => h.actor)).toEqual(['worker:frozen-b']);
    } finally {
      a.child.kill('SIGKILL');
      await b.stop(0);
    }
  });

  test('SIGTERM: the worker stops taking jobs, hands the running one back and exits', async () => {
    const id = await slowJob('sigterm');
    const a = spawnWorker(server, 'term-a', { SHUTDOWN_GRACE_MS: '0' });
    await waitForJob(server, id, (job) => job.status === 'running' && job.worker_id === 'term-a' && (job.stats.pagesProcessed ?? 0) >= 1);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const job = await getJob(server, id);
    expect(job.status).toBe('pending');
    const last = (await history(server, id)).at(-1)!;
    expect(last).toMatchObject({ action: 'released', from_status: 'running', to_status: 'pending', actor: 'worker:term-a' });
    expect(last.reason).toMatch(/Released by the worker/);
  });
});
