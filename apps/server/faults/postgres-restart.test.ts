/**
 * PostgreSQL stops and starts again under load (`pg_ctl stop -m fast`, a few seconds away,
 * `pg_ctl start`), on a cluster of the test's own so the machine's shared server is left
 * alone, with the built server as a real process: while the database is away every answer
 * is a clean 503 with the envelope, within a bound, and the process stays up; once
 * it is back the server recovers by itself, its change feed (LISTEN) reconnects and reaches
 * a subscriber that was connected all along, and every create and completion that was
 * acknowledged with a 2xx is in the database, with no job in an impossible state.
 */
import type { AppRouter } from '@scrape-jobs/api';
import type { JobChange } from '@scrape-jobs/domain';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { execFileSync } from 'node:child_process';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serverDir, startServerProcess, stopServerProcess, type ServerProcess } from '../test/server-process.ts';
import { createPostgresCluster, findPostgresBinaries, type PostgresCluster } from './postgres-cluster.ts';

const binaries = findPostgresBinaries();
const missing = 'missing' in binaries ? binaries.missing : undefined;
const required = process.env.REQUIRE_POSTGRES === '1';
if (missing && !required) console.warn(`faults: skipping the PostgreSQL restart test: ${missing}`);

/** Longest any answer may take, outage or not; a request still open after it is a hang. */
const ANSWER_BOUND_MS = 10_000;
/** How long the database stays away while the load goes on. */
const DOWNTIME_MS = 3_000;
/** How soon after PostgreSQL is back writes must succeed again, and the change feed deliver. */
const RECOVERY_BOUND_MS = 20_000;

interface Answer {
  operation: 'create' | 'claim' | 'complete';
  status: number;
  body: any;
  startedAt: number;
  endedAt: number;
}

describe.skipIf(missing !== undefined && !required)('PostgreSQL restarted under load', { timeout: 180_000 }, () => {
  let cluster: PostgresCluster | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    if (missing) throw new Error(`${missing}, and REQUIRE_POSTGRES=1`);
    execFileSync(process.execPath, ['build.mjs'], { cwd: serverDir, stdio: 'pipe' });
    cluster = await createPostgresCluster((binaries as { bin: string }).bin);
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE scrape_jobs').finally(() => admin.end());
    server = await startServerProcess('restart-server', {
      DATABASE_URL: cluster.url('scrape_jobs'),
      // The load is the point; the limits would turn part of it into 429s.
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      RATE_LIMIT_WORKER_PER_MINUTE: '0',
      // The background loops run through the outage too.
      SWEEP_INTERVAL_MS: '200',
      WEBHOOK_POLL_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    if (server) await stopServerProcess(server);
    await cluster?.destroy();
  });

  test('answers stay clean while it is down, the server recovers by itself, and no acknowledged change is lost', async () => {
    const base = server!.url;
    const answers: Answer[] = [];
    const noAnswer: string[] = [];
    const created = new Set<string>();
    const claimedBy = new Map<string, string>();
    const completed = new Set<string>();
    let stop = false;

    const call = async (operation: Answer['operation'], method: string, path: string, body: unknown): Promise<Answer | undefined> => {
      const startedAt = Date.now();
      try {
        const response = await fetch(base + path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(ANSWER_BOUND_MS),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* asserted below: every answer is JSON */
        }
        const answer = { operation, status: response.status, body: parsed, startedAt, endedAt: Date.now() };
        answers.push(answer);
        return answer;
      } catch (error) {
        noAnswer.push(`${operation} ${method} ${path} after ${Date.now() - startedAt} ms: ${(error as Error).message}`);
        return undefined;
      }
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    const creator = async (lane: number) => {
      for (let i = 0; !stop; i++) {
        const answer = await call('create', 'POST', '/api/scrape-jobs', { domain: `restart-${lane}-${i}.example` });
        if (answer?.status === 201) created.add(answer.body.data.id);
        else await pause(20);
      }
    };
    const worker = async (lane: number) => {
      const workerId = `restart-worker-${lane}`;
      while (!stop) {
        const claim = await call('claim', 'POST', '/api/scrape-jobs/next', { worker_id: workerId });
        if (claim?.status !== 200 || !claim.body.data) {
          await pause(20);
          continue;
        }
        const { id, claim_token: claimToken } = claim.body.data as { id: string; claim_token: string };
        const holder = claimedBy.get(id);
        if (holder) throw new Error(`job ${id} was claimed by ${holder} and again by ${workerId}`);
        claimedBy.set(id, workerId);
        // A completion that is not acknowledged is left alone: the job keeps its claim.
        const done = await call('complete', 'PUT', `/api/scrape-jobs/${id}`, { status: 'completed', claim_token: claimToken, stats: { pagesProcessed: 1 } });
        if (done?.status === 200) completed.add(id);
      }
    };

    // A subscriber connected through the whole outage: the feed must reach it again afterwards.
    const changes: JobChange[] = [];
    const subscriptionErrors: string[] = [];
    const trpc = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({ url: `${base}/trpc`, EventSource }),
          false: httpBatchLink({ url: `${base}/trpc` }),
        }),
      ],
    });
    let subscribed!: () => void;
    const started = new Promise<void>((resolve) => (subscribed = resolve));
    const subscription = trpc.scrapeJobs.onChange.subscribe(undefined, {
      onStarted: () => subscribed(),
      onData: (change) => changes.push(change),
      onError: (error) => subscriptionErrors.push(String(error)),
    });

    const lanes: Promise<void>[] = [];
    try {
      await started;
      lanes.push(...[0, 1, 2].map(creator), ...[0, 1, 2].map(worker));
      const until = async (what: string, predicate: () => boolean, timeoutMs: number) => {
        for (const deadline = Date.now() + timeoutMs; !predicate(); await pause(20)) {
          if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; server output:\n${server!.output()}\n${cluster!.log().slice(-3000)}`);
          if (server!.child.exitCode !== null || server!.child.signalCode !== null) throw new Error(`the server exited:\n${server!.output()}`);
        }
      };
      await until('no warm-up: 20 creates and 5 completions', () => created.size >= 20 && completed.size >= 5, 30_000);
      const feedBefore = changes.length;
      expect(feedBefore).toBeGreaterThan(0);

      const stopCalledAt = Date.now();
      await cluster!.stop();
      const stoppedAt = Date.now();
      await pause(DOWNTIME_MS);
      const startCalledAt = Date.now();
      await cluster!.start();
      const upAt = Date.now();

      // Recovers by itself: creates and completions sent after the restart are acknowledged again.
      const acknowledgedAfter = (operation: Answer['operation']) => answers.find((a) => a.operation === operation && a.startedAt >= upAt && a.status < 300);
      await until('writes did not succeed again', () => acknowledgedAfter('create') !== undefined && acknowledgedAfter('complete') !== undefined, RECOVERY_BOUND_MS);
      const recoveredAt = Math.max(acknowledgedAfter('create')!.endedAt, acknowledgedAfter('complete')!.endedAt);
      await pause(1_000);
      stop = true;
      await Promise.all(lanes);

      const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(ANSWER_BOUND_MS) });
      expect(health.status).toBe(200);
      expect(server!.child.exitCode).toBeNull();
      expect(server!.child.signalCode).toBeNull();

      // Every request got an answer within the bound, and every refusal is a clean one.
      expect(noAnswer).toEqual([]);
      const refusals = answers.filter((a) => a.status >= 300);
      for (const refusal of refusals) {
        // Not even a 500 with the envelope: an outage is the database's, not a bug of ours.
        expect(refusal.status, `${refusal.operation}: ${refusal.status} ${JSON.stringify(refusal.body)}`).toBe(503);
        expect(refusal.body).toEqual({ success: false, error: 'Database unavailable', details: 'The database did not answer; try again shortly', retry: true });
      }
      // What was sent while it was away was refused, not acknowledged.
      const whileDown = answers.filter((a) => a.startedAt >= stoppedAt && a.endedAt <= startCalledAt);
      expect(whileDown.length).toBeGreaterThan(0);
      expect(whileDown.filter((a) => a.status < 300)).toEqual([]);

      // The change feed reconnected: a change made now reaches the subscriber of before the outage.
      const probes = new Set<string>();
      const seenProbe = () => changes.some((c) => probes.has(c.job_id));
      const probeStartedAt = Date.now();
      for (let i = 0; !seenProbe(); i++) {
        if (Date.now() - probeStartedAt > RECOVERY_BOUND_MS) throw new Error(`the change feed did not come back; subscription errors: ${subscriptionErrors.join('; ')}`);
        const probe = await call('create', 'POST', '/api/scrape-jobs', { domain: `after-restart-${i}.example` });
        if (probe?.status === 201) probes.add(probe.body.data.id);
        await pause(200);
      }
      const feedBackAfterMs = Date.now() - upAt;

      // No acknowledged change is lost, and every job's state is one its history leads to.
      const check = new pg.Client({ connectionString: cluster!.url('scrape_jobs') });
      await check.connect();
      try {
        const acknowledgedCreates = [...created];
        const stored = await check.query('SELECT id FROM scrape_jobs WHERE id = ANY($1::uuid[])', [acknowledgedCreates]);
        expect(stored.rowCount).toBe(acknowledgedCreates.length);
        const finished = await check.query<{ id: string; status: string; worker_id: string | null }>(
          'SELECT id, status, worker_id FROM scrape_jobs WHERE id = ANY($1::uuid[])',
          [[...completed]],
        );
        expect(finished.rows).toHaveLength(completed.size);
        for (const row of finished.rows) expect(row, row.id).toMatchObject({ status: 'completed', worker_id: claimedBy.get(row.id) });
        const statusNotWhereHistoryLeads = await check.query(`
          SELECT j.id, j.status, last.to_status FROM scrape_jobs j
          LEFT JOIN LATERAL (SELECT to_status FROM job_history h WHERE h.job_id = j.id ORDER BY h.id DESC LIMIT 1) last ON true
          WHERE last.to_status IS DISTINCT FROM j.status`);
        expect(statusNotWhereHistoryLeads.rows).toEqual([]);
        const brokenChains = await check.query(`
          SELECT job_id, action, from_status, previous FROM (
            SELECT job_id, action, from_status, lag(to_status) OVER (PARTITION BY job_id ORDER BY id) AS previous FROM job_history
          ) steps WHERE from_status IS DISTINCT FROM previous`);
        expect(brokenChains.rows).toEqual([]);
        const completedTwice = await check.query(`
          SELECT job_id FROM job_history WHERE to_status = 'completed' AND from_status IS DISTINCT FROM 'completed'
          GROUP BY job_id HAVING count(*) > 1`);
        expect(completedTwice.rows).toEqual([]);
        // A running job is held by one of the load's workers (its completion was not acknowledged).
        const strayRunning = await check.query(`SELECT id, worker_id FROM scrape_jobs WHERE status = 'running' AND worker_id NOT LIKE 'restart-worker-%'`);
        expect(strayRunning.rows).toEqual([]);
      } finally {
        await check.end();
      }

      const count = (predicate: (a: Answer) => boolean) => answers.filter(predicate).length;
      const statuses = Object.fromEntries([...new Set(answers.map((a) => a.status))].sort().map((s) => [s, count((a) => a.status === s)]));
      console.log(
        `faults: PostgreSQL restart under load (6 clients): ${answers.length} requests ${JSON.stringify(statuses)}; ` +
          `stop took ${stoppedAt - stopCalledAt} ms, down ${startCalledAt - stoppedAt} ms, start took ${upAt - startCalledAt} ms; ` +
          `${whileDown.length} answers while down, all refusals (${count((a) => a.status === 503)} 503s in all, slowest answer ${Math.max(...answers.map((a) => a.endedAt - a.startedAt))} ms); ` +
          `writes acknowledged again ${recoveredAt - upAt} ms after the start, change feed back after ${feedBackAfterMs} ms; ` +
          `${created.size} acknowledged creates and ${completed.size} acknowledged completions all stored`,
      );
    } finally {
      stop = true;
      await Promise.allSettled(lanes);
      subscription.unsubscribe();
    }
  });
});
