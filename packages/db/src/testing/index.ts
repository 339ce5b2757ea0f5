import { PGlite } from '@electric-sql/pglite';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { applyMigrations, readMigrations } from '../migrate.ts';
import { openDatabase, pgliteRunner, pgRunner, type Database } from '../open-database.ts';

/**
 * Fresh, migrated databases for tests, cloned from a template so no test pays for
 * initialising PostgreSQL or running migrations:
 * - PGlite: a migrated data directory dumped once per test process, loaded into memory;
 * - PostgreSQL: `CREATE DATABASE … TEMPLATE` from a migrated template database.
 */
export type DatabaseKind = 'pglite' | 'postgres';

/** The server tests create their databases on (trust auth on the project machines). */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Database;
  /** The `postgres://` URL of this database; undefined for PGlite. */
  url: string | undefined;
  /** Closes and drops it. */
  destroy(): Promise<void>;
}

let pgliteTemplate: Promise<File | Blob> | undefined;

/**
 * The migrated template, made once and kept in the temp directory under the migrations'
 * hash, so that each test process loads it (~1 s) instead of initialising PGlite (~5 s).
 */
function migratedPgliteDump(): Promise<File | Blob> {
  pgliteTemplate ??= (async () => {
    const migrations = readMigrations();
    const hash = createHash('sha256').update(migrations.map((m) => m.checksum).join()).digest('hex').slice(0, 12);
    const file = join(tmpdir(), `scrape-jobs-pglite-template-${hash}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const template = await PGlite.create();
    await applyMigrations(pgliteRunner(template), migrations);
    const dump = await template.dumpDataDir('none');
    await template.close();
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return dump;
  })();
  return pgliteTemplate;
}

/** A new PGlite already migrated, in memory. */
export async function createMigratedPglite(): Promise<PGlite> {
  return PGlite.create({ loadDataDir: await migratedPgliteDump() });
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

let postgresTemplate: Promise<string> | undefined;

function migratedPostgresTemplate(): Promise<string> {
  postgresTemplate ??= (async () => {
    const migrations = readMigrations();
    const hash = createHash('sha256').update(migrations.map((m) => m.checksum).join()).digest('hex').slice(0, 12);
    const name = `scrape_jobs_template_${hash}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query('SELECT pg_advisory_lock(727465002)');
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE DATABASE "${name}_building"`).catch(async () => {
          await admin.query(`DROP DATABASE IF EXISTS "${name}_building" WITH (FORCE)`);
          await admin.query(`CREATE DATABASE "${name}_building"`);
        });
        const client = new pg.Client({ connectionString: withDatabase(TEST_POSTGRES_URL, `${name}_building`) });
        await client.connect();
        await applyMigrations(pgRunner(client), migrations);
        await client.end();
        await admin.query(`ALTER DATABASE "${name}_building" RENAME TO "${name}"`);
      }
    } finally {
      await admin.query('SELECT pg_advisory_unlock(727465002)').catch(() => {});
      await admin.end();
    }
    return name;
  })();
  return postgresTemplate;
}

/** Creates an empty migrated PostgreSQL database and returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = await migratedPostgresTemplate();
  const name = `scrape_jobs_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
    },
  };
}

export async function createTestDatabase(kind: DatabaseKind, options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ pglite: await createMigratedPglite(), migrate: false });
    return { db, url: undefined, destroy: () => db.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const db = await openDatabase({ databaseUrl: url, migrate: false, poolSize: options.poolSize ?? 20 });
  return {
    db,
    url,
    destroy: async () => {
      await db.close();
      await drop();
    },
  };
}

/**
 * `npm test` sets SKIP_POSTGRES=1 when no PostgreSQL answers (a bare laptop); the
 * PostgreSQL suites then report as skipped instead of failing. CI requires PostgreSQL.
 */
export const skipPostgres = (kind: DatabaseKind = 'postgres'): boolean => kind === 'postgres' && process.env.SKIP_POSTGRES === '1';
