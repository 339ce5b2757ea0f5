/**
 * Starts what the dashboard needs, as separate processes from the built bundles: the
 * fixture shop, the server (PGlite in a fresh temp DATA_DIR) and one crawler worker
 * (concurrency 1, so a long job holds the only slot and the next one visibly waits).
 * Their addresses reach the tests through the environment (E2E_*). Returns the teardown.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOW_HOSTS, bundles, freePort, start, stop, waitForHealth, waitForOutput } from './processes.ts';

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
