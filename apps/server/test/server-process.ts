import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built server (dist/main.js) as a real process, for tests that need several or kill one. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far, for assertions and for failure messages. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const serverDir = fileURLToPath(new URL('..', import.meta.url));
const mainJs = join(serverDir, 'dist', 'main.js');

/** A port nothing listens on right now, for a process that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Spawns the built server on a free port without waiting for it (it may be meant to fail). */
export async function spawnServerProcess(name: string, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const inherited = { ...process.env };
  for (const key of Object.keys(inherited)) if (/^(PORT|HOST|DATABASE_URL|DATA_DIR|LOG_LEVEL|WEBHOOK_.*)$/.test(key)) delete inherited[key];
  const child = spawn(process.execPath, [mainJs], {
    cwd: serverDir,
    env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { name, child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/** Spawns the built server and waits until /healthz answers 200. */
export async function startServerProcess(name: string, env: Record<string, string>): Promise<ServerProcess> {
  const server = await spawnServerProcess(name, env);
  await waitHealthy(server);
  return server;
}

/** Polls /healthz until it answers 200; fails early if the process exits. */
export async function waitHealthy(server: ServerProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: { code: number | null } | undefined;
  void server.exited.then((e) => (exited = e));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${server.name} exited (code ${exited.code}) before it was healthy:\n${server.output()}`);
    try {
      const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${server.name} was not healthy within ${timeoutMs} ms:\n${server.output()}`);
}

export async function stopServerProcess(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  const stopped = await Promise.race([server.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
  if (!stopped) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}
