import { randomUUID } from 'node:crypto';
import { sql, type Sql } from './sql.ts';

/** How long a lease lasts unrenewed: a crashed process keeps updates announced this long at most. */
const LEASE_MS = 30_000;

/**
 * This process's lease in `job_feed_watchers`, held while it has at least one subscriber
 * that watches job updates: the database announces updates only while some process holds
 * one (or an active webhook endpoint exists). Renewed every third of its life; dropped when
 * the last subscriber leaves. Writes go one after another, so a drop and a new hold never
 * cross. A failed write (database away) is left to the next renewal.
 */
export function createFeedLease(run: (query: Sql) => Promise<unknown>) {
  const id = randomUUID();
  let holders = 0;
  let renewal: NodeJS.Timeout | undefined;
  let writes: Promise<unknown> = Promise.resolve();
  const write = (query: Sql) => (writes = writes.then(() => run(query)).catch(() => {}));
  const renew = () =>
    write(sql`INSERT INTO job_feed_watchers (watcher_id, expires_at) VALUES (${id}::uuid, now() + ${LEASE_MS}::int * interval '1 millisecond')
              ON CONFLICT (watcher_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`);
  const drop = () => {
    clearInterval(renewal);
    renewal = undefined;
    return write(sql`DELETE FROM job_feed_watchers WHERE watcher_id = ${id}::uuid`);
  };

  return {
    /** Holds the lease until the returned function is called. */
    hold(): () => void {
      if (holders++ === 0) {
        renewal = setInterval(renew, LEASE_MS / 3);
        renewal.unref();
        void renew();
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holders === 0) void drop();
      };
    },
    /** Drops the lease (closing the database). */
    close: async () => {
      if (holders > 0) {
        holders = 0;
        await drop();
      }
      await writes;
    },
  };
}
