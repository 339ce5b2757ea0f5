import { parseRetrySchedule } from '@scrape-jobs/api';
import { z } from 'zod';

/** The server's environment, parsed once. Nothing else reads process.env. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** A postgres:// URL; unset means the embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().trim().optional().transform((v) => v || undefined),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** Crawler workers `npm start` launches beside the server (scripts/start.mjs). */
  WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  /** Host names, IPs or CIDRs that jobs may target although they are private or loopback. */
  CRAWL_ALLOW_HOSTS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a claim lasts without an update from its worker. */
  CLAIM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  /** How often expired claims are released. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  /** Largest request body. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Host names, IPs or CIDRs webhooks may be sent to although they are private or loopback. */
  WEBHOOK_ALLOW_HOSTS: z.string().optional(),
  /** `false`: this process queues webhook events (the trigger always does) but sends none. */
  WEBHOOK_DISPATCH: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Waits between attempts, e.g. `0,5s,5m,30m,2h,5h,10h,10h` (the default); after the last, failed. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return undefined;
      try {
        return parseRetrySchedule(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** One delivery attempt's limit (connect, headers and body). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How long a process holds a delivery it is sending; a crashed process's deliveries are resent after it. Default 3 × timeout. */
  WEBHOOK_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).optional(),
  /** How often due deliveries (retries) are looked for, besides every job change. */
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Deliveries this process sends at once. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** The longest Retry-After honoured (a longer one is cut to this). */
  WEBHOOK_MAX_RETRY_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(36_000_000),
});

export type ServerEnv = z.output<typeof envSchema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}
