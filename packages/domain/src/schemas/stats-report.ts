import type { JobStatus } from '../job-status.ts';
import type { JobType } from '../job-type.ts';

/** A window of the `trends` block. */
export interface TrendWindow {
  jobsCreated: number;
  jobsCompleted: number;
  /** completed / finished in the window, 0–100. */
  successRate: number;
}

/** GET /api/scrape-jobs/stats. Every number is computed from stored jobs; 0 without data. */
export interface JobStatsReport {
  domain: string;
  timestamp: string;
  overview: {
    totalJobs: number;
    completedJobs: number;
    failedJobs: number;
    pendingJobs: number;
    runningJobs: number;
    cancelledJobs: number;
    /** completed / (completed + failed + cancelled), in percent with two decimals. */
    successRate: number;
    /** seconds from started_at to completed_at of completed jobs. */
    avgCompletionTime: number;
  };
  statusBreakdown: Record<JobStatus, number>;
  jobTypeBreakdown: Record<JobType, number>;
  priorityDistribution: Record<string, number>;
  performance: {
    avgPagesPerJob: number;
    totalPagesProcessed: number;
    /** pages per second over the processing time of jobs that report both. */
    avgProcessingSpeed: number;
    successfulRequests: number;
    failedRequests: number;
    requestSuccessRate: number;
  };
  /** seconds */
  timeMetrics: {
    avgJobDuration: number;
    medianJobDuration: number;
    fastestJob: number;
    slowestJob: number;
    avgWaitTime: number;
  };
  retryAnalysis: {
    jobsWithRetries: number;
    totalRetries: number;
    avgRetriesPerFailedJob: number;
    /** percent of jobs that were retried and then completed. */
    retrySuccessRate: number;
  };
  trends: { last24Hours: TrendWindow; last7Days: TrendWindow; last30Days: TrendWindow };
  errorAnalysis: {
    commonErrors: Array<{ error: string; count: number; percentage: number }>;
    errorsByDomain: Array<{ domain: string; errorCount: number; totalJobs: number; errorRate: number }>;
  };
  /** Only with a domain filter. */
  jobHistory?: Array<{
    id: string;
    status: JobStatus;
    job_type: JobType;
    created_at: string;
    completed_at: string | null;
    /** seconds, null while unfinished */
    duration: number | null;
    pagesProcessed: number;
    dataExtracted: Record<string, number>;
  }>;
  recommendations?: Array<{ type: string; message: string; priority: 'low' | 'medium' | 'high' }>;
}
