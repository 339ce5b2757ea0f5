import type { JobChange, JobStatus } from '@scrape-jobs/domain';
import pg from 'pg';

/** The channel the `scrape_jobs_notify_*` triggers announce every job write on. */
export const CHANGE_CHANNEL = 'scrape_job_changes';

/**
 * The statuses a change into which is announced even when no one watches the feed
 * (scrape_jobs_notify_changes): work to take, work to stop. Creations too.
 */
export const ALWAYS_ANNOUNCED_STATUSES: readonly JobStatus[] = ['pending', 'cancelled'];

/** A notification's changes: a JSON array, one element per job its statement changed. */
export function parseChanges(payload: string): JobChange[] {
  try {
    const changes: unknown = JSON.parse(payload);
    return Array.isArray(changes) ? (changes as JobChange[]) : [];
  } catch {
    return [];
  }
}

/**
 * One LISTEN connection per process, fanned out to in-process subscribers. When the
 * connection drops (database restart, terminated backend) it reconnects with backoff, so
 * the feed comes back by itself.
 */
export function createPostgresListener(url: string) {
  const listeners = new Set<(change: JobChange) => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let retryDelay = 100;
  let connecting: Promise<void> | undefined;

  const connect = async (): Promise<void> => {
    while (!closed) {
      const next = new pg.Client({ connectionString: url });
      try {
        next.on('error', () => {});
        next.on('notification', (message) => {
          for (const change of parseChanges(message.payload ?? '')) for (const listener of listeners) listener(change);
        });
        next.on('end', () => {
          if (!closed && client === next) {
            client = undefined;
            connecting = connect();
          }
        });
        await next.connect();
        await next.query(`LISTEN ${CHANGE_CHANNEL}`);
        client = next;
        retryDelay = 100;
        return;
      } catch {
        await next.end().catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, retryDelay));
        retryDelay = Math.min(retryDelay * 2, 5000);
      }
    }
  };

  return {
    /** Resolves once the LISTEN connection is up (it keeps trying). */
    ready: () => (client ? Promise.resolve() : (connecting ??= connect())),
    subscribe(listener: (change: JobChange) => void): () => void {
      listeners.add(listener);
      if (!client && !connecting) connecting = connect();
      return () => listeners.delete(listener);
    },
    close: async () => {
      closed = true;
      listeners.clear();
      await connecting?.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
