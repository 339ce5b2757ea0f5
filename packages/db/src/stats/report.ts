import type { JobStatsReport } from '@scrape-jobs/domain';
import { toScrapeJob, type JobRow } from '../job-row.ts';
import type { Prisma } from '../open-database.ts';
import type { StatsFigures, StatsScope } from './figures.ts';
import { figuresFromRollup } from './from-rollup.ts';
import { figuresFromTable, whereScope } from './from-table.ts';

const round2 = (n: number | null | undefined): number => (n === null || n === undefined || !Number.isFinite(n) ? 0 : Math.round(n * 100) / 100);
const percent = (part: number, whole: number): number => (whole > 0 ? round2((part / whole) * 100) : 0);
const average = (s: { n: number; total: number }): number => (s.n > 0 ? round2(s.total / s.n) : 0);

/**
 * Where the figures come from: `rollup` (all jobs or one tenant; the triggers' rollups),
 * `table` (aggregates over scrape_jobs; one domain's report, where an index finds the rows).
 * `auto` picks; the tests ask for each to compare them.
 */
export type StatsSource = 'auto' | 'rollup' | 'table';

/** The one tenant the scope is limited to (undefined: none); null when it names two different ones (nothing matches). */
function tenantOf(scope: StatsScope): string | undefined | null {
  const named = [...new Set([scope.customer_config_id, scope.tenant_id].filter((t): t is string => !!t))];
  return named.length > 1 ? null : named[0];
}

/** Every figure of GET /api/scrape-jobs/stats except the recommendations. */
export async function computeJobStats(
  prisma: Prisma,
  scope: StatsScope,
  now: Date,
  source: StatsSource = 'auto',
): Promise<Omit<JobStatsReport, 'recommendations'>> {
  const tenant = tenantOf(scope);
  const useRollup = source === 'rollup' || (source === 'auto' && !scope.domain && tenant !== null);
  if (useRollup && (scope.domain || tenant === null)) throw new Error('The stats rollups cover all jobs or one tenant, not one domain');
  const f = useRollup ? await figuresFromRollup(prisma, tenant ?? undefined, now) : await figuresFromTable(prisma, scope, now);
  const report = reportOf(f, scope, now);
  if (scope.domain) report.jobHistory = await recentJobs(prisma, scope);
  return report;
}

function reportOf(f: StatsFigures, scope: StatsScope, now: Date): Omit<JobStatsReport, 'recommendations'> {
  const s = f.byStatus;
  const finished = s.completed + s.failed + s.cancelled;
  const requests = f.successfulRequests + f.failedRequests;
  const [day, week, month] = f.trends.map((t) => ({ jobsCreated: t.created, jobsCompleted: t.completed, successRate: percent(t.completed, t.finished) }));
  return {
    domain: scope.domain ?? 'all_domains',
    timestamp: now.toISOString(),
    overview: {
      totalJobs: s.pending + s.running + finished,
      completedJobs: s.completed,
      failedJobs: s.failed,
      pendingJobs: s.pending,
      runningJobs: s.running,
      cancelledJobs: s.cancelled,
      successRate: percent(s.completed, finished),
      avgCompletionTime: average(f.completion),
    },
    statusBreakdown: { ...s },
    jobTypeBreakdown: { ...f.byType },
    priorityDistribution: { ...f.byPriority },
    performance: {
      avgPagesPerJob: average(f.pages),
      totalPagesProcessed: round2(f.pages.total),
      avgProcessingSpeed: f.finished.total ? round2(f.finishedPages / f.finished.total) : 0,
      successfulRequests: round2(f.successfulRequests),
      failedRequests: round2(f.failedRequests),
      requestSuccessRate: percent(f.successfulRequests, requests),
    },
    timeMetrics: {
      avgJobDuration: average(f.finished),
      medianJobDuration: round2(f.medianDuration),
      fastestJob: round2(f.fastest),
      slowestJob: round2(f.slowest),
      avgWaitTime: average(f.wait),
    },
    retryAnalysis: {
      jobsWithRetries: f.jobsWithRetries,
      totalRetries: f.totalRetries,
      avgRetriesPerFailedJob: f.jobsEverFailed > 0 ? round2(f.totalRetries / f.jobsEverFailed) : 0,
      retrySuccessRate: percent(f.retriedThenCompleted, f.jobsWithRetries),
    },
    trends: { last24Hours: day!, last7Days: week!, last30Days: month! },
    errorAnalysis: {
      commonErrors: f.commonErrors.map((e) => ({ error: e.error, count: e.count, percentage: percent(e.count, f.failedWithMessage) })),
      errorsByDomain: f.errorsByDomain.map((d) => ({
        domain: d.domain,
        errorCount: d.error_count,
        totalJobs: d.total_jobs,
        errorRate: percent(d.error_count, d.total_jobs),
      })),
    },
  };
}

async function recentJobs(prisma: Prisma, scope: StatsScope): Promise<NonNullable<JobStatsReport['jobHistory']>> {
  const rows = await prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs ${whereScope(scope)} ORDER BY created_at DESC, id DESC LIMIT 20`;
  return rows.map(toScrapeJob).map((job) => ({
    id: job.id,
    status: job.status,
    job_type: job.job_type,
    created_at: job.created_at,
    completed_at: job.completed_at,
    duration: job.started_at && job.completed_at ? round2((Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000) : null,
    pagesProcessed: typeof job.stats.pagesProcessed === 'number' ? job.stats.pagesProcessed : 0,
    dataExtracted: Object.fromEntries(
      Object.entries(job.stats.dataExtracted ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
    ),
  }));
}
