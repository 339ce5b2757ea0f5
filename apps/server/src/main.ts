import { createScrapeJobManager, createWebhookManager, startClaimSweeper, startStatsFolder, startWebhookDispatcher, type WebhookDispatcher } from '@scrape-jobs/api';
import { openDatabase } from '@scrape-jobs/db';
import { buildApp } from './app.ts';
import { parseEnv } from './env.ts';
import { createTargetPolicy } from './target-policy.ts';
import { createWebhookSender } from './webhook-sender.ts';
import { createWebhookUrlPolicy } from './webhook-url-policy.ts';

/** Starts the server; SIGTERM/SIGINT close HTTP, stop the sweep and close the database. */
async function main(): Promise<void> {
  const env = parseEnv();
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  const manager = createScrapeJobManager({ db, claimTimeoutMs: env.CLAIM_TIMEOUT_MS, checkTarget: createTargetPolicy(env.CRAWL_ALLOW_HOSTS) });
  let dispatcher: WebhookDispatcher | undefined;
  const webhooks = createWebhookManager({ db, checkUrl: createWebhookUrlPolicy(env.WEBHOOK_ALLOW_HOSTS), onQueued: () => dispatcher?.wake() });
  const app = await buildApp({
    db,
    manager,
    webhooks,
    bodyLimit: env.BODY_LIMIT_BYTES,
    logLevel: env.LOG_LEVEL,
    rateLimits: { writesPerMinute: env.RATE_LIMIT_WRITES_PER_MINUTE, workerPerMinute: env.RATE_LIMIT_WORKER_PER_MINUTE },
    corsOrigins: env.CORS_ORIGINS,
    authMode: env.AUTH_MODE,
  });
  if (env.WEBHOOK_DISPATCH) {
    dispatcher = startWebhookDispatcher({
      db,
      send: createWebhookSender({ allowHosts: env.WEBHOOK_ALLOW_HOSTS }),
      retrySchedule: env.WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      leaseMs: env.WEBHOOK_LEASE_MS,
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
      concurrency: env.WEBHOOK_CONCURRENCY,
      maxRetryAfterMs: env.WEBHOOK_MAX_RETRY_AFTER_MS,
      onError: (error) => app.log.error({ err: error }, 'webhook dispatch failed'),
    });
  }
  const sweeper = startClaimSweeper(manager, {
    intervalMs: env.SWEEP_INTERVAL_MS,
    onRelease: (count) => app.log.warn({ count }, 'released expired claims'),
    onError: (error) => app.log.error({ err: error }, 'claim sweep failed'),
  });
  const statsFolder = startStatsFolder(manager, {
    intervalMs: env.STATS_FOLD_INTERVAL_MS,
    onError: (error) => app.log.error({ err: error }, 'stats fold failed'),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await sweeper.stop();
    await statsFolder.stop();
    await dispatcher?.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: env.PORT, host: env.HOST });
  app.log.info({ database: db.kind, workers: env.WORKERS, authMode: env.AUTH_MODE }, `Scrape Jobs listening on http://${env.HOST}:${app.server.address() && typeof app.server.address() === 'object' ? (app.server.address() as { port: number }).port : env.PORT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
