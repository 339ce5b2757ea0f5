import { startFixtureSite } from '@scrape-jobs/fixture-site';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** What `npm start` runs after its set-up: the built server and WORKERS workers. */
test('scripts/start.mjs serves, runs WORKERS workers that complete a job, and stops them all on SIGTERM', { timeout: 90_000 }, async () => {
  for (const app of ['server', 'worker']) execFileSync(process.execPath, ['build.mjs'], { cwd: join(root, 'apps', app) });
  const site = await startFixtureSite();
  const dataDir = mkdtempSync(join(tmpdir(), 'sj-start-'));
  const port = await freePort();
  const stack = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, WORKERS: '2', LOG_LEVEL: 'info', CRAWL_ALLOW_HOSTS: 'localhost,127.0.0.1', HEARTBEAT_INTERVAL_MS: '200', POLL_INTERVAL_MS: '200' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => stack.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 600; i++) {
      const up = await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false);
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const created: any = await (await fetch(`${base}/api/scrape-jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: site.domain, config: { depth: 1, maxPages: 5, delay: 0 } }) })).json();
    expect(created.success, JSON.stringify(created)).toBe(true);
    let job: { status: string; worker_id: string | null } = { status: 'pending', worker_id: null };
    for (let i = 0; i < 400 && job.status !== 'completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = ((await (await fetch(`${base}/api/scrape-jobs/${created.data.id}`)).json()) as any).data;
    }
    expect(job.status).toBe('completed');
    expect(job.worker_id).toMatch(/^worker-[12]$/);
    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/"worker":"worker-1"/);
    expect(output).toMatch(/"worker":"worker-2"/);
  } finally {
    stack.kill('SIGKILL');
    await site.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('scripts/start.mjs with AUTH_MODE=keys: without WORKER_API_KEY it says what to do; with one the workers complete a job', { timeout: 180_000 }, async () => {
  for (const app of ['server', 'worker']) execFileSync(process.execPath, ['build.mjs'], { cwd: join(root, 'apps', app) });
  const dataDir = mkdtempSync(join(tmpdir(), 'sj-start-keys-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, AUTH_MODE: 'keys', LOG_LEVEL: 'info', CRAWL_ALLOW_HOSTS: 'localhost,127.0.0.1', HEARTBEAT_INTERVAL_MS: '200', POLL_INTERVAL_MS: '200' };
  delete env.WORKER_API_KEY;
  delete env.DATABASE_URL;

  const refused = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs')], { cwd: root, env: { ...env, WORKERS: '1' }, encoding: 'utf8', timeout: 30_000 });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain('WORKER_API_KEY is not set');
  expect(refused.stderr).toContain('npm run keys -- create --name workers --role worker');

  const key = (role: string) =>
    JSON.parse(execFileSync(process.execPath, [join(root, 'apps', 'server', 'dist', 'cli.js'), 'keys', 'create', '--name', role, '--role', role, '--json'], { env, encoding: 'utf8' })).key as string;
  const workerKey = key('worker');
  const operatorKey = key('operator');
  const site = await startFixtureSite();
  const stack = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], { cwd: root, env: { ...env, WORKERS: '1', WORKER_API_KEY: workerKey }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => stack.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${operatorKey}` };
  try {
    for (let i = 0; i < 600; i++) {
      const up = await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false);
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await fetch(`${base}/api/scrape-jobs`)).status).toBe(401);
    const created: any = await (await fetch(`${base}/api/scrape-jobs`, { method: 'POST', headers, body: JSON.stringify({ domain: site.domain, config: { depth: 1, maxPages: 3, delay: 0 } }) })).json();
    expect(created.success, JSON.stringify(created)).toBe(true);
    let job: { status: string; worker_id: string | null } = { status: 'pending', worker_id: null };
    for (let i = 0; i < 400 && job.status !== 'completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = ((await (await fetch(`${base}/api/scrape-jobs/${created.data.id}`, { headers })).json()) as any).data;
    }
    expect(job.status).toBe('completed');
    expect(job.worker_id).toBe('worker-1');
    stack.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    stack.kill('SIGKILL');
    await site.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
