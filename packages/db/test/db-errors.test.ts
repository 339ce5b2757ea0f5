import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { asUnavailable } from '../src/db-errors.ts';
import { openDatabase, type Database } from '../src/open-database.ts';
import { createPostgresDatabase, skipPostgres } from '../src/testing/index.ts';

/**
 * A TCP hop between the pool and PostgreSQL that can reset every connection at once, as a
 * server going away or a network failure does to a query in flight: no error message from
 * the server, an ECONNRESET.
 */
async function startCuttableProxy(target: URL): Promise<{ url: string; cutAll: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  const cutAll = () => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  return { url: url.toString(), cutAll, close: () => new Promise((resolve) => { cutAll(); server.close(() => resolve()); }) };
}

describe.skipIf(skipPostgres())('a database outage is told apart from a bad query', () => {
  let database: { url: string; drop: () => Promise<void> };
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  let db: Database;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    proxy = await startCuttableProxy(new URL(database.url));
    db = await openDatabase({ databaseUrl: proxy.url, migrate: false, poolSize: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await database?.drop();
  });

  test('a connection reset under a running query is UNAVAILABLE (a 503), not an internal error', async () => {
    const running = db.prisma.$queryRaw`SELECT pg_sleep(30)`.then(
      () => undefined,
      (error: unknown) => error,
    );
    // Cut once the query is on the server, not before (the pool would just connect anew).
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const sleeping = async () =>
        (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%'`)).rowCount! > 0;
      while (!(await sleeping())) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await admin.end();
    }
    proxy.cutAll();
    const error = (await running) as any;
    // The driver adapter reports it as a closed connection ("Server has closed the connection."), without a SQLSTATE.
    expect(error?.meta?.driverAdapterError?.cause?.kind).toBe('ConnectionClosed');
    expect(asUnavailable(error)).toMatchObject({ code: 'UNAVAILABLE', message: 'Database unavailable' });
  });

  test('a query the database refuses is not mistaken for an outage', async () => {
    const error = await db.prisma.$queryRaw`SELECT * FROM no_such_table`.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(asUnavailable(error)).toBeUndefined();
  });
});
