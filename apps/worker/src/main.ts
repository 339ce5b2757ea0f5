import { parseEnv } from './env.ts';
import { createLogger } from './logger.ts';
import { startWorker } from './worker.ts';

/** A crawler worker process. SIGTERM/SIGINT: stop claiming, finish or hand back, exit. */
const env = parseEnv();
const log = createLogger(env.LOG_LEVEL, { worker: env.WORKER_ID });
const worker = startWorker({
  serverUrl: env.SERVER_URL,
  workerId: env.WORKER_ID,
  apiKey: env.API_KEY,
  concurrency: env.CONCURRENCY,
  heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS,
  pollIntervalMs: env.POLL_INTERVAL_MS,
  allowHosts: env.CRAWL_ALLOW_HOSTS,
  log,
});
log.info({ server: env.SERVER_URL, concurrency: env.CONCURRENCY }, 'worker started');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal, graceMs: env.SHUTDOWN_GRACE_MS }, 'shutting down');
  await worker.stop(env.SHUTDOWN_GRACE_MS);
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
