import type { JobChange, JobStatus } from '@scrape-jobs/domain';
import pg from 'pg';

/** The channel the `scrape_jobs_notify_*` triggers announce every job write on. */
export const CHANGE_CHANNEL = 'scrape_job_changes';

/**
 * The channel `api_keys_notify_change` announces a key's id on when what the key stands for
 * changed (revoked, its role or tenant, …): every process forgets its cached lookup of it.
 */
export const API_KEY_CHANNEL = 'api_key_changes';

/** A key whose cached lookup is stale, or null for every key: notifications may have been missed. */
export type ApiKeyChangeListener = (keyId: string | null) => void;

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
 * One LISTEN connection per process (job changes and key changes), fanned out to in-process
 * subscribers. When the connection drops (database restart, terminated backend) it
 * reconnects with backoff, so the feed comes back by itself; the key subscribers are then
 * told every key may have changed meanwhile (null).
 */
export function createPostgresListener(url: string) {
  const listeners = new Set<(change: JobChange) => void>();
  const keyListeners = new Set<ApiKeyChangeListener>();
  let client: pg.Client | undefined;
  let connectedBefore = false;
  let closed = false;
  let retryDelay = 100;
  let connecting: Promise<void> | undefined;

  const connect = async (): Promise<void> => {
    while (!closed) {
      const next = new pg.Client({ connectionString: url });
      try {
        next.on('error', () => {});
        next.on('notification', (message) => {
          if (message.channel === API_KEY_CHANNEL) {
            for (const listener of keyListeners) listener(message.payload || null);
            return;
          }
          for (const change of parseChanges(message.payload ?? '')) for (const listener of listeners) listener(change);
        });
        next.on('end', () => {
          if (!closed && client === next) {
            client = undefined;
            connecting = connect();
          }
        });
        await next.connect();
        await next.query(`LISTEN ${CHANGE_CHANNEL}; LISTEN ${API_KEY_CHANNEL}`);
        client = next;
        retryDelay = 100;
        if (connectedBefore) for (const listener of keyListeners) listener(null);
        connectedBefore = true;
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
    onApiKeyChange(listener: ApiKeyChangeListener): () => void {
      keyListeners.add(listener);
      if (!client && !connecting) connecting = connect();
      return () => keyListeners.delete(listener);
    },
    close: async () => {
      closed = true;
      listeners.clear();
      keyListeners.clear();
      await connecting?.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
