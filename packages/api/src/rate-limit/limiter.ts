/**
 * The rate limiter both transports share: GCRA (the generic cell rate algorithm, a leaky
 * bucket kept as one timestamp per subject), per (bucket, subject), in memory.
 *
 * A bucket with quota q per window w lets a subject that has been quiet send q requests at
 * once, and then one more every w/q. The one number kept per subject is its "theoretical
 * arrival time" (TAT): the moment its full quota is back. A subject whose TAT has passed
 * is indistinguishable from one never seen, so idle subjects are forgotten exactly — that is
 * what keeps memory bounded.
 */

/**
 * `writes`: changes made by people and integrations (create, update without a claim token,
 * cancel, retry, management writes). `worker`: the claim holder's traffic (claim, heartbeat,
 * page reports, release, a fenced update). Reads are not limited.
 */
export const RATE_LIMIT_BUCKETS = ['writes', 'worker'] as const;
export type RateLimitBucket = (typeof RATE_LIMIT_BUCKETS)[number];

/** Requests per window for each bucket; 0 turns that bucket's limit off. */
export type RateLimits = Record<RateLimitBucket, number>;

/** The outcome of one request against its bucket, with what the response headers say. */
export interface RateLimitDecision {
  bucket: RateLimitBucket;
  allowed: boolean;
  /** The quota (q): requests a quiet subject may send at once. */
  limit: number;
  /** The window (w) the quota refills over, in seconds. */
  windowSeconds: number;
  /** Requests left right now (r). */
  remaining: number;
  /** Seconds until the full quota is back (t). */
  resetSeconds: number;
  /** For a refused request: seconds until one request is allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request; null when the bucket is not limited. A refused request is not counted. */
  take(bucket: RateLimitBucket, subject: string): RateLimitDecision | null;
  /** Subjects currently remembered (for tests of the memory bound). */
  size(): number;
}

export interface RateLimiterOptions {
  limits: RateLimits;
  /** Default one minute, the unit of the RATE_LIMIT_*_PER_MINUTE settings. */
  windowMs?: number;
  /** Milliseconds since the epoch; injected by tests. */
  clock?: () => number;
  /** The most subjects remembered; beyond it idle ones go first, then the least recent. */
  maxSubjects?: number;
}

export const DEFAULT_MAX_SUBJECTS = 10_000;

// Float slack: 300 requests of 200 ms each must add up to exactly one minute.
const EPSILON = 1e-6;

export function createRateLimiter({ limits, windowMs = 60_000, clock = Date.now, maxSubjects = DEFAULT_MAX_SUBJECTS }: RateLimiterOptions): RateLimiter {
  /** key → TAT in ms; Map order is least recently used first. */
  const arrivals = new Map<string, number>();

  function makeRoom(now: number) {
    for (const [key, tat] of arrivals) if (tat <= now) arrivals.delete(key);
    // Everyone is busy: forgetting the least recent gives that subject a fresh quota early,
    // which is the lenient side to err on.
    for (const key of arrivals.keys()) {
      if (arrivals.size < maxSubjects) break;
      arrivals.delete(key);
    }
  }

  return {
    take(bucket, subject) {
      const limit = limits[bucket];
      if (!limit) return null;
      const now = clock();
      const interval = windowMs / limit;
      const key = `${bucket}\u0000${subject}`;
      const known = arrivals.get(key);
      const tat = known === undefined ? now : Math.max(known, now);
      const nextTat = tat + interval;
      const allowedFrom = nextTat - windowMs;
      const windowSeconds = Math.round(windowMs / 1000);
      if (allowedFrom > now + EPSILON) {
        return {
          bucket,
          allowed: false,
          limit,
          windowSeconds,
          remaining: 0,
          resetSeconds: Math.ceil((tat - now) / 1000 - EPSILON),
          retryAfterSeconds: Math.max(1, Math.ceil((allowedFrom - now) / 1000 - EPSILON)),
        };
      }
      if (known === undefined && arrivals.size >= maxSubjects) makeRoom(now);
      arrivals.delete(key);
      arrivals.set(key, nextTat);
      return {
        bucket,
        allowed: true,
        limit,
        windowSeconds,
        remaining: Math.max(0, Math.floor((now + windowMs - nextTat) / interval + EPSILON)),
        resetSeconds: Math.ceil((nextTat - now) / 1000 - EPSILON),
        retryAfterSeconds: 0,
      };
    },
    size: () => arrivals.size,
  };
}
