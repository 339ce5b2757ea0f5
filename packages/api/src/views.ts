import type { ScrapeJob } from '@scrape-jobs/domain';

/** `data` of a create: exactly the contract's fields. */
export const createdView = (job: ScrapeJob) => ({
  id: job.id,
  domain: job.domain,
  job_type: job.job_type,
  status: job.status,
  priority: job.priority,
  created_at: job.created_at,
});

/** `data` of an update. */
export const updatedView = (job: ScrapeJob) => ({ id: job.id, status: job.status, updated_at: job.updated_at, stats: job.stats });

/** `data` of a cancel. */
export const cancelledView = (job: ScrapeJob) => ({
  id: job.id,
  status: job.status,
  error_message: job.error_message,
  completed_at: job.completed_at,
});
