import type { JobStatus, JobType } from '@scrape-jobs/domain';

/** The scope of a stats report: one domain, one tenant, or everything. */
export interface StatsScope {
  domain?: string | undefined;
  customer_config_id?: string | null | undefined;
  /** The caller's tenant: only its jobs count, whatever else the scope asks for. */
  tenant_id?: string | null | undefined;
}

/** A count and the sum of one value over the jobs counted. */
export interface Sum {
  n: number;
  total: number;
}

/**
 * What the report is made of, whichever source computed it (the rollups or the table): exact
 * counts and sums (the sources add up numeric values, so both give the same figures), and
 * the duration order statistics.
 */
export interface StatsFigures {
  byStatus: Record<JobStatus, number>;
  byType: Record<JobType, number>;
  byPriority: Record<string, number>;
  /** Run time of completed jobs that have a started_at. */
  completion: Sum;
  /** Run time of finished (completed, failed, cancelled) jobs that have a started_at. */
  finished: Sum;
  /** Pages of those same finished jobs (the processing speed's numerator). */
  finishedPages: number;
  /** created_at → started_at of every started job. */
  wait: Sum;
  /** pagesProcessed over the jobs whose stats have it as a number (n), summed over all jobs. */
  pages: Sum;
  successfulRequests: number;
  failedRequests: number;
  jobsWithRetries: number;
  totalRetries: number;
  jobsEverFailed: number;
  retriedThenCompleted: number;
  /** Over the finished jobs' run times; null when there is none. */
  medianDuration: number | null;
  fastest: number | null;
  slowest: number | null;
  /** Last 24 hours, 7 days, 30 days. */
  trends: Array<{ created: number; completed: number; finished: number }>;
  /** The 10 commonest messages of failed jobs, and how many failed jobs have a message. */
  commonErrors: Array<{ error: string; count: number }>;
  failedWithMessage: number;
  /** The 10 domains with most failed jobs. */
  errorsByDomain: Array<{ domain: string; error_count: number; total_jobs: number }>;
}

/** The counts and sums both sources' SQL answers with, in these column names. */
export interface SumsRow {
  completion_n: number;
  completion_s: number | null;
  finished_n: number;
  finished_s: number | null;
  finished_pages: number | null;
  wait_n: number;
  wait_s: number | null;
  pages_n: number;
  pages: number | null;
  successful_requests: number | null;
  failed_requests: number | null;
  jobs_with_retries: number;
  total_retries: number;
  jobs_ever_failed: number;
  retried_then_completed: number;
}

/** The figures a SumsRow gives (a sum over no job is 0). */
export function figuresOfSums(t: SumsRow): Pick<
  StatsFigures,
  'completion' | 'finished' | 'finishedPages' | 'wait' | 'pages' | 'successfulRequests' | 'failedRequests' | 'jobsWithRetries' | 'totalRetries' | 'jobsEverFailed' | 'retriedThenCompleted'
> {
  return {
    completion: { n: t.completion_n, total: t.completion_s ?? 0 },
    finished: { n: t.finished_n, total: t.finished_s ?? 0 },
    finishedPages: t.finished_pages ?? 0,
    wait: { n: t.wait_n, total: t.wait_s ?? 0 },
    pages: { n: t.pages_n, total: t.pages ?? 0 },
    successfulRequests: t.successful_requests ?? 0,
    failedRequests: t.failed_requests ?? 0,
    jobsWithRetries: t.jobs_with_retries,
    totalRetries: t.total_retries,
    jobsEverFailed: t.jobs_ever_failed,
    retriedThenCompleted: t.retried_then_completed,
  };
}

export const TREND_DAYS = [1, 7, 30] as const;
export const PRIORITIES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

/** Zero for every key of `keys`, then the counts found. */
export function countsOf<K extends string | number>(keys: readonly K[], rows: Array<{ key: string | number; n: number }>): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [String(k), rows.find((r) => String(r.key) === String(k))?.n ?? 0]));
}
