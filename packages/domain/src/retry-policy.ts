/**
 * Automatic retries wait before they become claimable again: 60 s after the first failure,
 * 300 s after the second, 900 s after the third and later, each with ±10 % jitter so that
 * jobs failing together do not come back together.
 */
export const RETRY_DELAYS_SECONDS = [60, 300, 900] as const;
export const RETRY_JITTER = 0.1;

/**
 * @param failuresSoFar how many times the job has failed, counting this failure (≥ 1)
 * @param random a number in [0, 1); injectable so tests are exact
 */
export function retryDelayMs(failuresSoFar: number, random: () => number = Math.random): number {
  const index = Math.min(Math.max(failuresSoFar, 1), RETRY_DELAYS_SECONDS.length) - 1;
  const base = RETRY_DELAYS_SECONDS[index]! * 1000;
  const jitter = (random() * 2 - 1) * RETRY_JITTER * base;
  return Math.round(base + jitter);
}

/** A job may be retried while it has attempts left. */
export function hasRetriesLeft(job: { retry_count: number; max_retries: number }): boolean {
  return job.retry_count < job.max_retries;
}
