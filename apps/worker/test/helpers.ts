import { startClaimSweeper, type ClaimSweeper } from '@scrape-jobs/api';
import type { JobHistoryEntry, ScrapeJob } from '@scrape-jobs/domain';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, type TestServer } from '../../server/test/test-server.ts';

export { api, startTestServer, type TestServer } from '../../server/test/test-server.ts';

export const ALLOW_FIXTURE = 'localhost,127.0.0.1';
const workerDir = fileURLToPath(new URL('..', import.meta.url));

export const silentLog = { info() {}, warn() {}, error() {} };

export function buildWorker(): void {
  execFileSync(process.execPath, ['build.mjs'], { cwd: workerDir, stdio: 'inherit' });
}

/** A worker process from the bundle; its stdout lines are kept for assertions. */
export function spawnWorker(server: TestServer, workerId: string, env: Record<string, string> = {}): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [`${workerDir}/dist/main.js`], {
    env: {
      ...process.env,
      SERVER_URL: server.url,
      WORKER_ID: workerId,
      HEARTBEAT_INTERVAL_MS: '200',
      POLL_INTERVAL_MS: '100',
      CRAWL_ALLOW_HOSTS: ALLOW_FIXTURE,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

export async function getJob(server: TestServer, id: string): Promise<ScrapeJob> {
  const r = await api(server.url, 'GET', `/api/scrape-jobs/${id}`);
  if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

export async function history(server: TestServer, id: string): Promise<JobHistoryEntry[]> {
  return (await api(server.url, 'GET', `/api/scrape-jobs/${id}/history`)).body.data;
}

export async function createJob(server: TestServer, body: Record<string, unknown>): Promise<string> {
  const r = await api(server.url, 'POST', '/api/scrape-jobs', body);
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data.id;
}

/** Polls until `predicate` holds for the job, or fails after `timeoutMs`. */
export async function waitForJob(server: TestServer, id: string, predicate: (job: ScrapeJob) => boolean, timeoutMs = 20_000): Promise<ScrapeJob> {
  const deadline = Date.now() + timeoutMs;
  let job = await getJob(server, id);
  while (!predicate(job)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; job is ${JSON.stringify({ status: job.status, worker: job.worker_id, stats: job.stats })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = await getJob(server, id);
  }
  return job;
}

export function sweep(server: TestServer, intervalMs = 100): ClaimSweeper {
  return startClaimSweeper(server.manager, { intervalMs });
}

export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** A history row that moved the job into a final status (not a later update that kept it there). */
export const isTerminalMove = (h: JobHistoryEntry): boolean => TERMINAL.includes(h.to_status) && h.from_status !== h.to_status;
