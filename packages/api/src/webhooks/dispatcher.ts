import * as repo from '@scrape-jobs/db';
import type { ClaimedDelivery, Database } from '@scrape-jobs/db';
import { DEFAULT_MAX_RETRY_AFTER_MS, DEFAULT_RETRY_SCHEDULE_MS, nextRetryDelay, type RetryPolicy } from './retry-schedule.ts';
import { webhookHeaders } from './signing.ts';

/** One signed POST, as the dispatcher hands it to the transport. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborted when the dispatcher stops and the attempt outlasts the shutdown grace. */
  signal: AbortSignal;
}

/**
 * What came back: a status code (any, including 3xx: redirects are not followed), or an
 * error sentence when no response arrived (refused, timed out, outbound address refused).
 */
export interface WebhookResponse {
  statusCode: number | null;
  /** From `Retry-After` on a 429 or 503. */
  retryAfterMs?: number | undefined;
  /** The first bytes of the body. */
  snippet: string | null;
  error: string | null;
}

/**
 * The transport, injected so the api stays free of outbound-address rules: the server's
 * sender (apps/server/src/webhook-sender.ts) checks the resolved address like the crawler.
 */
export type WebhookSender = (request: WebhookRequest) => Promise<WebhookResponse>;

export interface WebhookDispatcherOptions {
  db: Database;
  send: WebhookSender;
  /** Waits between attempts (see retry-schedule.ts). */
  retrySchedule?: readonly number[];
  maxRetryAfterMs?: number;
  /** How long a claim of a delivery lasts; another process takes it over after that. */
  leaseMs?: number;
  timeoutMs?: number;
  /** Also look for due deliveries this often (retries come due without a job change). */
  pollIntervalMs?: number;
  /** Deliveries sent at once by this process. */
  concurrency?: number;
  /** On stop, how long attempts in flight may still finish before they are cut off (and retried later). */
  shutdownGraceMs?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

export interface WebhookDispatcher {
  /** Look for due deliveries now (a job changed, a ping was queued). */
  wake(): void;
  /** Stops claiming; lets attempts in flight finish within the grace, cuts off the rest, and waits until each is recorded. */
  stop(): Promise<void>;
}

const SNIPPET_CHARS = 1000;

/**
 * Sends the outbox. Each process runs one; they share the work through leases
 * (`FOR UPDATE SKIP LOCKED`), so a delivery is sent by one process at a time, and a process
 * that dies mid-delivery loses only its lease: once it expires another process sends it again
 * with the same `webhook-id` (at-least-once; receivers dedupe by the id).
 */
export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { db, send } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = Math.max(options.leaseMs ?? timeoutMs * 3, timeoutMs + 1000);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const policy: RetryPolicy = {
    schedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    jitter: 0.1,
    random: options.random ?? Math.random,
  };
  const onError = options.onError ?? (() => {});
  const shutdownGraceMs = options.shutdownGraceMs ?? 2000;
  const shutdown = new AbortController();

  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const inFlight = new Set<Promise<void>>();

  async function attempt(delivery: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify(delivery.payload);
    const attemptedAt = new Date();
    const secrets = delivery.previous_secret ? [delivery.secret, delivery.previous_secret] : [delivery.secret];
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'ScrapeJobs-Webhooks/1.0',
      ...webhookHeaders({ id: delivery.event_id, timestampSeconds: Math.floor(attemptedAt.getTime() / 1000), body, secrets }),
    };
    let response: WebhookResponse;
    try {
      response = await send({ url: delivery.url, headers, body, timeoutMs, signal: shutdown.signal });
    } catch (error) {
      response = { statusCode: null, snippet: null, error: error instanceof Error ? error.message : String(error) };
    }
    const ok = response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
    const delay = ok ? null : nextRetryDelay(policy, delivery.round_attempts, response.retryAfterMs);
    await repo.finishWebhookDelivery(db.prisma, {
      id: delivery.id,
      leaseToken: delivery.lease_token,
      attempt: delivery.attempt,
      attemptedAt,
      durationMs: Date.now() - attemptedAt.getTime(),
      statusCode: response.statusCode,
      error: ok ? null : (response.error ?? `HTTP ${response.statusCode}`).slice(0, 500),
      responseSnippet: response.snippet === null ? null : response.snippet.slice(0, SNIPPET_CHARS),
      next: ok ? { kind: 'succeeded' } : delay === null ? { kind: 'failed' } : { kind: 'retry', retryInMs: delay },
    });
  }

  /** Claims while there is room and work; each finished attempt may unblock the job's next event. */
  async function drain(): Promise<void> {
    do {
      again = false;
      while (!stopped && inFlight.size < concurrency) {
        const claimed = await repo.claimDueWebhookDeliveries(db.prisma, { leaseMs, limit: concurrency - inFlight.size });
        if (claimed.length === 0) break;
        for (const delivery of claimed) {
          const task: Promise<void> = attempt(delivery)
            .catch(onError)
            .finally(() => {
              inFlight.delete(task);
              wake();
            });
          inFlight.add(task);
        }
      }
    } while (again && !stopped);
  }

  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }

  const unsubscribe = db.onJobChange(() => wake(), { watch: false });
  const timer = setInterval(wake, pollIntervalMs);
  timer.unref();
  wake();

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      await running;
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (grace = setTimeout(resolve, shutdownGraceMs)))]);
      clearTimeout(grace);
      // Cut off attempts still waiting on a receiver: each is recorded as failed and retried
      // by whichever process runs next.
      shutdown.abort(new Error('The server is shutting down'));
      await Promise.allSettled([...inFlight]);
    },
  };
}
