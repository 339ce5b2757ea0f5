import { parseRetrySchedule } from '@scrape-jobs/api';
import { z } from 'zod';

/** The server's environment, parsed once. Nothing else reads process.env. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * `keys`: every API request needs an API key. `open`: requests without a key act as admin
   * (a key that is sent still counts). Default: `open` on a loopback HOST, else `keys`.
   */
  AUTH_MODE: z.enum(['keys', 'open'], { error: 'must be keys or open' }).optional(),
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
  /** How often the job changes pending for the stats rollups are folded into them. */
  STATS_FOLD_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(1000),
  /** Largest request body. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /**
   * Writes (create, update, cancel, retry, management) per API key — or per client address
   * without one — per minute; 0 turns the limit off. 300 is five a second, far above what a
   * person or a script that waits for answers sends, low enough to stop a runaway loop.
   */
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(300),
  /**
   * Worker calls (claim, heartbeat, pages, release, fenced update) per key or address per
   * minute; 0 turns it off. A worker sends about two calls every 2 s per running job, so 6000
   * covers one key's workers running some 50 jobs at once, plus idle polling.
   */
  RATE_LIMIT_WORKER_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(6000),
  /** Comma-separated origins (`https://ops.example.com`) allowed to call the API from a browser; none by default. */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const origins = (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
      for (const origin of origins) {
        if (!isExactOrigin(origin)) ctx.addIssue({ code: 'custom', message: `${origin.slice(0, 200)} is not an origin (scheme://host[:port], no path)` });
      }
      return origins;
    }),
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

function isExactOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}


export type ServerEnv = Omit<z.output<typeof envSchema>, 'AUTH_MODE'> & { AUTH_MODE: 'keys' | 'open' };

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) and localhost: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  const env = result.data;
  const loopback = isLoopbackHost(env.HOST);
  const authMode = env.AUTH_MODE ?? (loopback ? 'open' : 'keys');
  if (authMode === 'open' && !loopback) {
    throw new Error(
      `Refusing to start: AUTH_MODE=open on HOST=${env.HOST} would let anyone who can reach it act as admin without a key. ` +
        'Use AUTH_MODE=keys (create keys with: npm run keys -- create --name <name> --role <role>) or a loopback HOST such as 127.0.0.1.',
    );
  }
  return { ...env, AUTH_MODE: authMode };
}

/** What the CLI needs: the database, opened exactly as the server opens it. */
export function parseDatabaseEnv(source: NodeJS.ProcessEnv = process.env): Pick<ServerEnv, 'DATABASE_URL' | 'DATA_DIR'> {
  const result = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true }).safeParse(source);
  if (!result.success) throw new Error(`Invalid environment: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}
