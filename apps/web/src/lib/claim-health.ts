/**
 * How a running job's claim is doing. Every worker write (heartbeat, progress) moves
 * `updated_at` and pushes `claim_expires_at` out, so the time since `updated_at` is how long
 * the worker has been silent. Workers beat every few seconds; silence past STALE_AFTER_MS
 * means the worker is probably gone, and a claim past its expiry waits for the server's
 * sweep to put the job back in the queue.
 */
import type { ScrapeJob } from '@scrape-jobs/domain';

export const STALE_AFTER_MS = 30_000;

export type ClaimState = 'ok' | 'stale' | 'expired';

export interface ClaimHealth {
  /** Since the claim was taken. */
  ageMs: number | null;
  /** Since the worker's last write. */
  silentMs: number;
  /** Until the claim lapses (negative once it has). */
  expiresInMs: number | null;
  state: ClaimState;
}

export function claimHealth(
  job: Pick<ScrapeJob, 'claimed_at' | 'claim_expires_at' | 'updated_at'>,
  now: number,
  staleAfterMs = STALE_AFTER_MS,
): ClaimHealth {
  const ageMs = job.claimed_at ? now - Date.parse(job.claimed_at) : null;
  const silentMs = Math.max(0, now - Date.parse(job.updated_at));
  const expiresInMs = job.claim_expires_at ? Date.parse(job.claim_expires_at) - now : null;
  const state: ClaimState = expiresInMs !== null && expiresInMs <= 0 ? 'expired' : silentMs > staleAfterMs ? 'stale' : 'ok';
  return { ageMs, silentMs, expiresInMs, state };
}
