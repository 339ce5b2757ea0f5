/**
 * A second built server for the sign-in spec, in AUTH_MODE=keys on its own PGlite data
 * directory, with keys made by the server's CLI (`keys create … --json`). The CLI runs
 * before the server starts because a PGlite data directory is locked by one process.
 * No worker: the spec only needs jobs to exist, not to run.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ALLOW_HOSTS, bundles, freePort, root, start, stop, waitForHealth } from './processes.ts';

const cli = join(root, 'apps/server/dist/cli.js');

/** What `keys create --json` prints. */
export interface CreatedKey {
  id: string;
  key: string;
  name: string;
  role: string;
  tenant_id: string | null;
}

export interface KeysServer {
  url: string;
  keys: { viewer: CreatedKey; operator: CreatedKey; admin: CreatedKey };
  stop: () => Promise<void>;
}

async function createKey(dataDir: string, role: string, name: string): Promise<CreatedKey> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'keys', 'create', '--role', role, '--name', name, '--json'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    timeout: 90_000,
  });
  const line = stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`keys create printed no JSON: ${stdout}`);
  return JSON.parse(line) as CreatedKey;
}

export async function startKeysServer(): Promise<KeysServer> {
  if (!existsSync(cli)) throw new Error(`Build first: ${cli} (the keys CLI) is missing`);
  const dataDir = mkdtempSync(join(tmpdir(), 'scrape-jobs-e2e-keys-'));
  let server: ChildProcess | undefined;
  const stopAll = async () => {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const viewer = await createKey(dataDir, 'viewer', 'e2e viewer');
    const operator = await createKey(dataDir, 'operator', 'e2e operator');
    const admin = await createKey(dataDir, 'admin', 'e2e admin');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = start('keys-server', bundles.server, {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      AUTH_MODE: 'keys',
      LOG_LEVEL: 'warn',
      CRAWL_ALLOW_HOSTS: ALLOW_HOSTS,
    });
    await waitForHealth(url, server, 90_000);
    return { url, keys: { viewer, operator, admin }, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
