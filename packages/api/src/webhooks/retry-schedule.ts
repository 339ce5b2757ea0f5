/**
 * When a failed delivery is tried again. `schedule[n]` is the wait before attempt n + 1
 * (attempt 1 is immediate); after the last entry the delivery fails for good. The default
 * is the Standard Webhooks / Svix schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h — about 28 hours in all.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** The longest `Retry-After` a receiver can ask for; a longer one is cut to this. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 36_000_000;

export interface RetryPolicy {
  schedule: readonly number[];
  maxRetryAfterMs: number;
  /** ± this fraction of the delay, so that endpoints that failed together do not retry together. */
  jitter: number;
  random: () => number;
}

/**
 * The wait before the next attempt after `attemptsMade` failed ones in this round, or null
 * when the schedule is exhausted. A receiver's `Retry-After` (429/503) lengthens the wait,
 * never shortens it.
 */
export function nextRetryDelay(policy: RetryPolicy, attemptsMade: number, retryAfterMs?: number): number | null {
  if (attemptsMade >= policy.schedule.length) return null;
  const base = policy.schedule[attemptsMade]!;
  const jittered = Math.round(base * (1 + policy.jitter * (2 * policy.random() - 1)));
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return Math.max(jittered, asked, 0);
}

/**
 * Parses `WEBHOOK_RETRY_SCHEDULE`: comma-separated waits, each a number of milliseconds or
 * with a unit (`500ms`, `5s`, `5m`, `2h`). Throws with the bad entry named.
 */
export function parseRetrySchedule(value: string): number[] {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('the retry schedule needs at least one entry');
  return entries.map((entry) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(entry);
    if (!match) throw new Error(`invalid retry schedule entry ${JSON.stringify(entry)} (expected e.g. 0, 500ms, 5s, 5m, 2h)`);
    return Math.round(Number(match[1]) * units[match[2] ?? 'ms']!);
  });
}
