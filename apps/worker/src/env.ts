import { hostname } from 'node:os';
import { z } from 'zod';

/** The worker's environment, parsed once. Nothing else reads process.env. */
const envSchema = z.object({
  SERVER_URL: z.url().default('http://127.0.0.1:3000'),
  WORKER_ID: z
    .string()
    .regex(/^[\w.:@-]{1,200}$/)
    .default(`${hostname()}-${process.pid}`),
  /** Jobs crawled at once. */
  CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  /** Progress is sent (and the claim extended) at least this often. */
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** How long an idle worker waits before asking for work again (a new job wakes it sooner). */
  POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** On SIGTERM, running jobs get this long to finish before they are handed back. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Host names, IPs or CIDRs the crawler may reach although they are private or loopback. */
  CRAWL_ALLOW_HOSTS: z.string().optional(),
  /** A `worker` API key, sent as `Authorization: Bearer` on every call (required by AUTH_MODE=keys). */
  API_KEY: z.string().trim().optional().transform((v) => v || undefined),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type WorkerEnv = z.output<typeof envSchema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new Error(`Invalid environment: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
