// `npm run demo`: the fixture shop on :8080 (and shop.localhost:8080), the server and its
// workers allowed to crawl it, and one job for it — a whole crawl with no internet.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sitePort = process.env.DEMO_SITE_PORT ?? '8080';
const port = process.env.PORT ?? '3000';
const env = { ...process.env, CRAWL_ALLOW_HOSTS: process.env.CRAWL_ALLOW_HOSTS ?? 'localhost,*.localhost,127.0.0.1' };

const site = spawn(process.execPath, [join(root, 'packages', 'fixture-site', 'dist', 'main.js')], { cwd: root, stdio: 'inherit', env: { ...env, PORT: sitePort } });
const stack = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (stack.kill(signal), site.kill(signal)));
stack.on('exit', (code) => (site.kill('SIGTERM'), process.exit(code ?? 0)));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 600; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    /* starting */
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const response = await fetch(`${base}/api/scrape-jobs`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ domain: `localhost:${sitePort}`, job_type: 'product_catalog', priority: 8, config: { depth: 3, maxPages: 60, delay: 50, includeSubdomains: true }, metadata: { source: 'demo' } }),
});
const created = await response.json();
console.log(
  created.success
    ? `\nDemo job ${created.data.id} created for localhost:${sitePort}.\n  Watch it: curl ${base}/api/scrape-jobs/${created.data.id}\n  Its pages: curl ${base}/api/scrape-jobs/${created.data.id}/results\n`
    : `\nDemo job not created: ${created.error}\n`,
);
