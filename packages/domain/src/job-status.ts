/**
 * The life of a scrape job. A closed list: the database enum `job_status` is the same
 * list (a test checks it), and `state-machine.md` beside this file draws it.
 */
export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** What each status means and who moves a job out of it. */
export const JOB_STATUS_MEANING: Record<JobStatus, string> = {
  pending:
    'Waiting in the queue. A worker claim moves it to running; a user may cancel it. ' +
    'Retried jobs wait here until their retry delay (available_at) has passed.',
  running:
    'Claimed by a worker, which reports progress and then completed or failed. A user may ' +
    'cancel it; the server sweep releases it back to pending when the claim expires.',
  completed: 'Finished successfully. Final: nothing moves it again.',
  failed:
    'Finished with an error. A retry (manual, or automatic for a retryable failure) moves ' +
    'it back to pending; a user may cancel it.',
  cancelled: 'Stopped by a user. Final: nothing moves it again, and no late worker write completes it.',
};

/** Statuses that hold the domain's one active-job slot and the queue's attention. */
export const ACTIVE_STATUSES = ['pending', 'running'] as const satisfies readonly JobStatus[];

/** Statuses nothing leaves. */
export const FINAL_STATUSES = ['completed', 'cancelled'] as const satisfies readonly JobStatus[];

/** Statuses that carry `completed_at` (the job stopped working, for now or for good). */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];

export function isFinalStatus(status: JobStatus): boolean {
  return (FINAL_STATUSES as readonly JobStatus[]).includes(status);
}

export function isActiveStatus(status: JobStatus): boolean {
  return (ACTIVE_STATUSES as readonly JobStatus[]).includes(status);
}

export function isFinishedStatus(status: JobStatus): boolean {
  return (FINISHED_STATUSES as readonly JobStatus[]).includes(status);
}
