import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { JobChange } from '@scrape-jobs/domain';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { createFeedLease } from './feed-lease.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { applyMigrations, type ScriptRunner } from './migrate.ts';
import { preparedStatementNames } from './prepared-statements.ts';
import { API_KEY_CHANNEL, CHANGE_CHANNEL, createPostgresListener, parseChanges, type ApiKeyChangeListener } from './change-listener.ts';
import type { Sql } from './sql.ts';

export type Prisma = InstanceType<typeof PrismaClient>;

/** An open database: the Prisma client, its change feed, and how to close it. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: Prisma;
  /**
   * Calls `listener` for every change to any job, made by this process or any other, until
   * the returned function is called. Creations are always announced; updates only while some
   * process watches them (or an active webhook endpoint exists), so a subscriber watches
   * unless `watch` is false: it holds this process's lease in job_feed_watchers, written a
   * moment after subscribing. The webhook dispatcher does not watch: it needs only what the
   * endpoints it serves already make announced.
   */
  onJobChange(listener: (change: JobChange) => void, options?: { watch?: boolean }): () => void;
  /**
   * Calls `listener` with a key's id when what the key stands for changed in any process
   * (revoked, role, tenant, …), and with null when such news may have been missed (the
   * notification connection came back), until the returned function is called.
   */
  onApiKeyChange(listener: ApiKeyChangeListener): () => void;
  /**
   * One statement straight on the driver (pg's pool, or PGlite), past Prisma's request
   * pipeline, which was about half of the server's CPU for a GET of one job (~120 of
   * ~225 µs) and more than half of a batch claim's. For the hottest statements only: the
   * GET of one job, creations, the queue's claims, completions, fenced updates and
   * heartbeats, and the pages a worker reports and reads back. Each
   * is one statement, so it is its own transaction, as under Prisma. Rows come as the
   * driver types them, which for the job columns is what Prisma gives (test/query-rows.test.ts).
   */
  queryRows<T>(query: Sql): Promise<T[]>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A `postgres://` URL; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite's directory (created if missing). Default `./.data`. */
  dataDir?: string | undefined;
  /** An already created PGlite (tests load a migrated template into memory). */
  pglite?: PGlite;
  /** Apply pending migrations first. Default true. */
  migrate?: boolean;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
}

const ADVISORY_LOCK_KEY = 727_465_001; // any constant shared by every process of this app

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const url = options.databaseUrl?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
    return openPostgres(url, options);
  }
  return openPglite(options);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  if (options.migrate !== false) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // Several processes may start at once: one migrates, the others wait, then see it done.
      await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
      await applyMigrations(pgRunner(client));
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => {});
      await client.end();
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // A connection killed under the pool (a restart, pg_terminate_backend) must not crash us.
  pool.on('error', () => {});
  // One naming for Prisma's statements and queryRows', so a text prepared by either is reused by both.
  const statementName = preparedStatementNames();
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: statementName }) });
  const listener = createPostgresListener(url);
  await listener.ready();
  const queryRows = async <T>(query: Sql) => (await pool.query({ name: statementName({ sql: query.text }), text: query.text, values: query.values })).rows as T[];
  const lease = createFeedLease(queryRows);
  return {
    kind: 'postgres',
    prisma,
    queryRows,
    onJobChange: (onChange, options) => watching(listener.subscribe(onChange), lease, options),
    onApiKeyChange: listener.onApiKeyChange,
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await lease.close();
      await listener.close();
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

async function openPglite(options: OpenDatabaseOptions): Promise<Database> {
  let lock: DataDirLock | undefined;
  let pglite = options.pglite;
  if (!pglite) {
    const dataDir = options.dataDir ?? './.data';
    lock = lockDataDir(dataDir);
    try {
      pglite = await PGlite.create({ dataDir });
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  const db = pglite;
  try {
    if (options.migrate !== false) await applyMigrations(pgliteRunner(db));
    // PGlite learns array types at start-up; enum arrays the migrations just created
    // (job_status[]) would otherwise be sent as plain text and refused.
    await db.refreshArrayTypes();
  } catch (error) {
    await db.close();
    lock?.release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const listeners = new Set<(change: JobChange) => void>();
  const queryRows = async <T>(query: Sql) => (await db.query<T>(query.text, query.values)).rows;
  const lease = createFeedLease(queryRows);
  const keyListeners = new Set<ApiKeyChangeListener>();
  const unlisten = await db.listen(CHANGE_CHANNEL, (payload) => {
    for (const change of parseChanges(payload)) for (const listener of listeners) listener(change);
  });
  const unlistenKeys = await db.listen(API_KEY_CHANNEL, (payload) => {
    for (const listener of keyListeners) listener(payload || null);
  });
  return {
    kind: 'pglite',
    prisma,
    queryRows,
    onJobChange(listener, options) {
      listeners.add(listener);
      return watching(() => listeners.delete(listener), lease, options);
    },
    onApiKeyChange(listener) {
      keyListeners.add(listener);
      return () => keyListeners.delete(listener);
    },
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: async () => {
      await lease.close();
      listeners.clear();
      keyListeners.clear();
      await unlisten().catch(() => {});
      await unlistenKeys().catch(() => {});
      await prisma.$disconnect();
      await db.close();
      lock?.release();
    },
  };
}

/** A subscription's unsubscribe, holding the feed lease meanwhile unless it does not watch. */
function watching(unsubscribe: () => void, lease: ReturnType<typeof createFeedLease>, options: { watch?: boolean } | undefined): () => void {
  const release = options?.watch === false ? () => {} : lease.hold();
  return () => {
    unsubscribe();
    release();
  };
}

export function pgRunner(client: pg.Client): ScriptRunner {
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
  };
}

export function pgliteRunner(db: PGlite): ScriptRunner {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
  };
}
