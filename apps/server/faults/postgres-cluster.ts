import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../test/server-process.ts';

/**
 * A throwaway PostgreSQL cluster of a test's own (initdb in a temp directory, trust auth,
 * 127.0.0.1 on a free port), for faults that would disturb the machine's shared server —
 * stopping and starting it. Built from the machine's PostgreSQL server binaries; as root
 * they run as the `postgres` OS user, since initdb refuses root.
 */
export interface PostgresCluster {
  port: number;
  /** A `postgres://` URL of `database` on this cluster (user postgres, no password). */
  url(database?: string): string;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: open sessions are terminated, a checkpoint is written. */
  stop(): Promise<void>;
  /** Stops it (immediately) if it runs and removes its directory; safe to call twice. */
  destroy(): Promise<void>;
  /** The server's log so far, for failure messages. */
  log(): string;
}

const execFileAsync = promisify(execFile);
const POSTGRES_ROOT = '/usr/lib/postgresql';

/** The newest installed version's bin directory with initdb and pg_ctl, or why there is none. */
export function findPostgresBinaries(): { bin: string } | { missing: string } {
  const versions = existsSync(POSTGRES_ROOT) ? readdirSync(POSTGRES_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(POSTGRES_ROOT, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!bin) return { missing: `no PostgreSQL server binaries (initdb, pg_ctl) under ${POSTGRES_ROOT}/<version>/bin` };
  if (isRoot() && !postgresUser()) return { missing: 'running as root and there is no postgres OS user to run initdb as' };
  return { bin };
}

const isRoot = () => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

export async function createPostgresCluster(bin: string): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'scrape-jobs-pg-cluster-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const owner = isRoot() ? postgresUser() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  // Runs a binary as the cluster's owner; asynchronous, so a test's load keeps running meanwhile.
  const command = (name: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  const run = async (name: string, args: string[]) => {
    const [file, argv] = command(name, args);
    await execFileAsync(file, argv, { timeout: 60_000 });
  };
  const port = await freePort();
  const settings = [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c max_connections=60',
    '-c shared_buffers=16MB',
  ].join(' ');
  let running = false;
  let destroyed = false;

  const stopNow = () => {
    if (!running) return;
    running = false;
    const [file, argv] = command('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      /* already gone */
    }
  };
  // If the test process dies without its afterAll, the cluster must not outlive it.
  const onExit = () => {
    stopNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const cluster: PostgresCluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: async () => {
      await run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', settings]);
      running = true;
    },
    stop: async () => {
      await run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
      running = false;
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      stopNow();
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
  try {
    await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
