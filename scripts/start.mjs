// Runs the built server and WORKERS crawler workers (default 2) in the foreground. A worker
// that dies is started again; SIGINT/SIGTERM stop the workers first (they hand their jobs
// back), then the server.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';
const workers = Number(process.env.WORKERS ?? '2');
const serverUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
let stopping = false;

// The server's rule (apps/server/src/env.ts): open only on a loopback HOST unless AUTH_MODE says.
const loopback = /^(localhost|::1|\[::1\]|127\.\d+\.\d+\.\d+)$/i.test(host);
const authMode = process.env.AUTH_MODE ?? (loopback ? 'open' : 'keys');
const workerApiKey = process.env.WORKER_API_KEY?.trim();
if (authMode === 'keys' && workers > 0 && !workerApiKey) {
  console.error(
    `AUTH_MODE=keys: the ${workers} worker(s) need an API key with the worker role, and WORKER_API_KEY is not set.\n` +
      'Create one (with the server stopped when it uses the embedded database):\n' +
      '  npm run keys -- create --name workers --role worker\n' +
      'then start again with WORKER_API_KEY=<the key it printed>, or set WORKERS=0 to run the server alone.',
  );
  process.exit(1);
}

const server = spawn(process.execPath, ['--enable-source-maps', join(root, 'apps', 'server', 'dist', 'main.js')], { cwd: root, stdio: 'inherit' });
server.on('exit', (code, signal) => {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  process.exit(code ?? (signal ? 1 : 0));
});

const children = new Set();
function startWorker(n) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'apps', 'worker', 'dist', 'main.js')], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      SERVER_URL: serverUrl,
      WORKER_ID: process.env.WORKER_ID ? `${process.env.WORKER_ID}-${n}` : `worker-${n}`,
      ...(workerApiKey ? { API_KEY: workerApiKey } : {}),
    },
  });
  children.add(child);
  child.on('exit', () => {
    children.delete(child);
    if (!stopping) setTimeout(() => startWorker(n), 1000);
  });
}

async function healthy() {
  for (let i = 0; i < 600 && !stopping; i++) {
    try {
      if ((await fetch(`${serverUrl}/healthz`)).ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all([...children].map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))));
    server.kill(signal);
  });
}

if (workers > 0 && (await healthy())) {
  for (let n = 1; n <= workers; n++) startWorker(n);
}
