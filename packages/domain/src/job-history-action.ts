/**
 * What a row of a job's history (its audit trail) records. Same list as the CHECK constraint
 * `job_history_action_known` (prisma/migrations/20261203030000_job_audit).
 * - `created`: the job was created (from_status null; changes hold every initial value).
 * - `updated`: a PUT / `scrapeJobs.update`, with or without a status change (a PUT that only
 *   changes stats or metadata is an `updated` row too).
 * - `cancelled`: DELETE / `scrapeJobs.cancel`.
 * - `retried`: a manual retry of a failed job.
 * - `auto_retried`: the system sent a job back to pending after a retryable failure (actor
 *   `system`; it follows the worker's `updated` row running → failed of the same write).
 * - `claimed`: a worker took the job from the queue.
 * - `released`: the claim holder handed the job back (a worker shutting down).
 * - `claim_expired`: the sweep sent a running job back to pending because its worker went silent
 *   (actor `system`; the reason and `changes.worker_id.old` name the worker).
 * Heartbeats and page reports are progress, not changes to the job's record: not audited.
 */
export const JOB_HISTORY_ACTIONS = ['created', 'updated', 'cancelled', 'retried', 'auto_retried', 'claimed', 'released', 'claim_expired'] as const;

export type JobHistoryAction = (typeof JOB_HISTORY_ACTIONS)[number];

/** A value as JSON holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One changed column: its value before and after the write (timestamps as ISO-8601 UTC; null when unset). */
export interface FieldChange {
  old: JsonValue;
  new: JsonValue;
}

/**
 * The columns a write changed, by column name: `{ "priority": { "old": 5, "new": 8 } }`. Never
 * `updated_at` (every write changes it) nor the secret `claim_token`. JSON columns (metadata,
 * stats, config) appear whole, before and after.
 */
export type JobFieldChanges = Record<string, FieldChange>;
