/**
 * The built key CLI (`npm run keys -- …` = `node apps/server/dist/cli.js keys …`) and the
 * built server's start-up rules, as real processes: keys made by the CLI open the API of a
 * server in AUTH_MODE=keys; revoking one closes it; the PGlite directory of a running
 * server is refused with a sentence saying why; AUTH_MODE=open on a public HOST refuses to start.
 */
import { createPostgresDatabase, skipPostgres } from '@scrape-jobs/db/testing';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, bearer } from './test-server.ts';
import { freePort } from './server-process.ts';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const cliJs = join(serverDir, 'dist', 'cli.js');
const mainJs = join(serverDir, 'dist', 'main.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

const cleanEnv = () => {
  const env = { ...process.env };
  for (const key of ['PORT', 'HOST', 'DATABASE_URL', 'DATA_DIR', 'AUTH_MODE', 'LOG_LEVEL']) delete env[key];
  return env;
};

function cli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [cliJs, 'keys', ...args], { env: { ...cleanEnv(), ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The built server; resolves once /healthz answers. */
async function startServer(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [mainJs], { env: { ...cleanEnv(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    if (i > 600) throw new Error(`server did not start: ${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}

beforeAll(() => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: serverDir, stdio: 'pipe' });
}, 120_000);
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the key CLI on PGlite (DATA_DIR)', () => {
  test('create, list and revoke keys that a server in AUTH_MODE=keys then accepts and refuses', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scrape-jobs-cli-'));
    dirs.push(dataDir);
    const env = { DATA_DIR: dataDir };

    const created = cli(['create', '--name', 'ci', '--role', 'admin', '--json'], env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const admin = JSON.parse(created.stdout);
    expect(Object.keys(admin).sort()).toEqual(['id', 'key', 'name', 'role', 'tenant_id']);
    expect(admin).toMatchObject({ name: 'ci', role: 'admin', tenant_id: null, key: expect.stringMatching(/^sjk_[A-Za-z0-9_-]{43}$/) });

    const tenant = '11111111-2222-4333-8444-555555555555';
    const viewer = JSON.parse(cli(['create', '--name', 'dashboard', '--role', 'viewer', '--tenant', tenant, '--json'], env).stdout);
    expect(viewer.tenant_id).toBe(tenant);

    const listed = cli(['list', '--json'], env);
    const keys = JSON.parse(listed.stdout) as Array<{ id: string; name: string; key_prefix: string }>;
    expect(keys.map((k) => k.name).sort()).toEqual(['ci', 'dashboard']);
    expect(listed.stdout).not.toContain(admin.key);

    const revoked = cli(['revoke', viewer.id], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked key "dashboard" (${viewer.id})`);

    const server = await startServer({ DATA_DIR: dataDir, AUTH_MODE: 'keys' });
    try {
      // The server holds the directory: the CLI says so, and what to do instead.
      const locked = cli(['list'], env);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain('is in use by another process');
      expect(locked.stderr).toContain('keys cannot be managed while the server runs on it');

      expect((await api(server.url, 'GET', '/api/scrape-jobs')).status).toBe(401);
      expect((await api(server.url, 'GET', '/api/scrape-jobs', undefined, bearer(admin.key))).status).toBe(200);
      expect((await api(server.url, 'GET', '/api/scrape-jobs', undefined, bearer(viewer.key))).status).toBe(401);
      const audit = await api(server.url, 'GET', '/api/audit', undefined, bearer(admin.key));
      expect(audit.body.data.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`)).toEqual([
        'api_key.revoked by cli',
        'api_key.created by cli',
        'api_key.created by cli',
      ]);
    } finally {
      await server.stop();
    }
  });

  test('bad input: a sentence on stderr, a non-zero exit, and no key made', { timeout: 120_000 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scrape-jobs-cli-'));
    dirs.push(dataDir);
    const env = { DATA_DIR: dataDir };
    const badRole = cli(['create', '--name', 'x', '--role', 'root'], env);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('Invalid role: "root" (expected one of admin, operator, viewer, worker)');
    const noName = cli(['create', '--role', 'viewer'], env);
    expect(noName.stderr).toContain('name is required');
    const badTenant = cli(['create', '--name', 'x', '--role', 'viewer', '--tenant', 'acme'], env);
    expect(badTenant.stderr).toContain('tenant_id must be a UUID');
    const badId = cli(['revoke', 'nope'], env);
    expect(badId.stderr).toContain('Invalid API key id: must be a UUID');
    const missing = cli(['revoke', '6f1c1a52-6c0e-4d43-9b7a-1f2e3d4c5b6a'], env);
    expect({ code: missing.code, stderr: missing.stderr.trim() }).toEqual({ code: 1, stderr: 'API key not found' });
    const unknown = cli(['rotate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: keys rotate');
    const unknownOption = cli(['list', '--everything'], env);
    expect(unknownOption.code).toBe(2);
    expect(JSON.parse(cli(['list', '--json'], env).stdout)).toEqual([]);
  });
});

describe('the key CLI on PostgreSQL (DATABASE_URL)', () => {
  test.skipIf(skipPostgres())('create --json and list work on the database the server uses', { timeout: 60_000 }, async () => {
    const database = await createPostgresDatabase();
    try {
      const env = { DATABASE_URL: database.url };
      const created = cli(['create', '--role', 'viewer', '--name', 'e2e', '--json'], env);
      expect(created.code).toBe(0);
      const key = JSON.parse(created.stdout);
      expect(key).toMatchObject({ name: 'e2e', role: 'viewer', tenant_id: null });
      const human = cli(['create', '--name', 'by hand', '--role', 'operator'], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/shown only this once[\s\S]*\nsjk_[A-Za-z0-9_-]{43}\n$/);
      const listed = JSON.parse(cli(['list', '--json'], env).stdout) as Array<{ id: string; name: string }>;
      expect(listed.map((k) => k.name).sort()).toEqual(['by hand', 'e2e']);
      expect(cli(['list'], env).stdout).toMatch(/^ID\s+NAME\s+ROLE\s+TENANT/);
    } finally {
      await database.drop();
    }
  });
});

describe('server start-up', () => {
  test('AUTH_MODE=open on a non-loopback HOST refuses to start, saying why and what to do', () => {
    const result = spawnSync(process.execPath, [mainJs], {
      env: { ...cleanEnv(), HOST: '0.0.0.0', PORT: '0', AUTH_MODE: 'open', DATA_DIR: mkdtempSync(join(tmpdir(), 'scrape-jobs-open-')) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Refusing to start: AUTH_MODE=open on HOST=0.0.0.0');
    expect(result.stderr).toContain('Use AUTH_MODE=keys');
  });
});
