/**
 * Which actions the dashboard offers for a job, decided by the domain's own rules (the
 * transition table and the retry policy), so the buttons never offer what the server
 * would refuse. An action is shown only when its move is legal for the job's status; it
 * can still be disabled with a reason (a failed job with no retries left).
 */
import { canTransition, hasRetriesLeft, type ScrapeJob } from '@scrape-jobs/domain';

export interface ActionRule {
  visible: boolean;
  enabled: boolean;
  /** Why it is hidden or disabled; null when it can be used. */
  reason: string | null;
}

type JobLike = Pick<ScrapeJob, 'status' | 'retry_count' | 'max_retries'>;

export function cancelRule(job: JobLike): ActionRule {
  if (!canTransition(job.status, 'cancelled', 'cancel')) {
    return { visible: false, enabled: false, reason: `A ${job.status} job cannot be cancelled` };
  }
  return { visible: true, enabled: true, reason: null };
}

export function retryRule(job: JobLike): ActionRule {
  if (!canTransition(job.status, 'pending', 'retry')) {
    return { visible: false, enabled: false, reason: `Only failed jobs can be retried; this one is ${job.status}` };
  }
  if (!hasRetriesLeft(job)) {
    return { visible: true, enabled: false, reason: `max retries reached ${job.retry_count}/${job.max_retries}` };
  }
  return { visible: true, enabled: true, reason: null };
}

/**
 * The rule once the key's permissions are known: an action the job's state allows but the
 * key may not use stays visible, disabled, with `denied` as the reason.
 */
export function withPermission(rule: ActionRule, denied: string | null): ActionRule {
  if (!rule.visible || denied === null) return rule;
  return { visible: true, enabled: false, reason: denied };
}

/** "attempt 2/3": what a retry now would be. */
export const nextAttempt = (job: JobLike) => `attempt ${job.retry_count + 1}/${job.max_retries}`;
