/**
 * Starts what the dashboard needs, as separate processes from the built bundles: the
 * fixture shop, the server (PGlite in a fresh temp DATA_DIR) and one crawler worker
 * (concurrency 1, so a long job holds the only slot and the next one visibly waits).
 * Their addresses reach the tests through the environment (E2E_*). Returns the teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ALLOW_HOSTS = 'localhost,127.0.0.1';
const bundles = {
  server: join(root, 'apps/server/dist/main.js'),
  worker: join(root, 'apps/worker/dist/main.js'),
  site: join(root, 'packages/fixture-site/dist/main.js'),
  dashboard: join(root, 'apps/web/dist/index.html'),
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function start(name: string, script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (chunk: Buffer) => chunk.toString().replace(/^(?=.)/gm, `[${name}] `);
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.stdout!.on('data', (chunk: Buffer) => name !== 'site' && process.stderr.write(prefix(chunk)));
  return child;
}

/** Resolves with the first stdout match, or rejects when the process exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (!match) return;
      clearTimeout(timer);
      resolve(match);
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code} before printing ${pattern}`))));
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(exited ? 'the server exited during start-up (see its output above)' : `the server was not healthy within ${timeoutMs} ms`);
}

function stop(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const missing = Object.entries(bundles).filter(([, file]) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`Build first (pnpm build at the repository root); missing: ${missing.map(([, f]) => f).join(', ')}`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'scrape-jobs-e2e-'));
  const children: ChildProcess[] = [];
  const teardown = async () => {
    // The worker first (it hands its job back), then the server, then the shop.
    for (const child of [...children].reverse()) await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const site = start('site', bundles.site, { PORT: '0', SLOW_MS: '2000' });
    children.push(site);
    const [, siteUrl] = await waitForOutput(site, /Fixture shop on (http:\/\/\S+)/, 15_000);

    const port = await freePort();
    const serverUrl = `http://127.0.0.1:${port}`;
    const server = start('server', bundles.server, {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      // The fixture shop is on loopback: the server must accept jobs for it, the worker crawl it.
      CRAWL_ALLOW_HOSTS: ALLOW_HOSTS,
    });
    children.push(server);
    await waitForHealth(serverUrl, server, 90_000);

    const worker = start('worker', bundles.worker, {
      SERVER_URL: serverUrl,
      WORKER_ID: 'e2e-worker',
      CONCURRENCY: '1',
      CRAWL_ALLOW_HOSTS: ALLOW_HOSTS,
      HEARTBEAT_INTERVAL_MS: '300',
      POLL_INTERVAL_MS: '200',
      SHUTDOWN_GRACE_MS: '0',
      LOG_LEVEL: 'warn',
    });
    children.push(worker);

    process.env.E2E_BASE_URL = serverUrl;
    process.env.E2E_SITE_URL = siteUrl!;
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
