import { JOB_STATUSES, JOB_TYPES, type JobStatsReport, type TrendWindow } from '@scrape-jobs/domain';
import { toScrapeJob, type JobRow } from './job-row.ts';
import type { Prisma } from './open-database.ts';
import { empty, join, sql, ts, type Sql } from './sql.ts';

export interface StatsScope {
  domain?: string | undefined;
  customer_config_id?: string | null | undefined;
  /** The caller's tenant: only its jobs count, whatever else the scope asks for. */
  tenant_id?: string | null | undefined;
}

const round2 = (n: number | null | undefined): number => (n === null || n === undefined || !Number.isFinite(n) ? 0 : Math.round(n * 100) / 100);
const percent = (part: number, whole: number): number => (whole > 0 ? round2((part / whole) * 100) : 0);

/** A numeric stats field, 0 when missing or not a number (stats are partly free-form). */
const statNumber = (key: string): Sql =>
  sql`(CASE WHEN jsonb_typeof(stats -> ${key}) = 'number' THEN (stats ->> ${key})::float8 ELSE 0 END)`;
const seconds = (from: Sql, to: Sql): Sql => sql`EXTRACT(EPOCH FROM (${to} - ${from}))::float8`;
const DURATION = seconds(sql`started_at`, sql`completed_at`);
const FINISHED = sql`status IN ('completed', 'failed', 'cancelled') AND started_at IS NOT NULL`;

function whereScope(scope: StatsScope, extra: Sql[] = []): Sql {
  const conditions = [...extra];
  if (scope.domain) conditions.push(sql`domain = ${scope.domain}`);
  if (scope.customer_config_id) conditions.push(sql`customer_config_id = ${scope.customer_config_id}::uuid`);
  if (scope.tenant_id) conditions.push(sql`customer_config_id = ${scope.tenant_id}::uuid`);
  return conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
}

interface Totals {
  total: number;
  completed: number;
  failed: number;
  pending: number;
  running: number;
  cancelled: number;
  avg_completion: number | null;
  avg_duration: number | null;
  median_duration: number | null;
  fastest: number | null;
  slowest: number | null;
  avg_wait: number | null;
  pages_total: number;
  jobs_with_pages: number;
  finished_pages: number;
  finished_seconds: number | null;
  successful_requests: number;
  failed_requests: number;
  jobs_with_retries: number;
  total_retries: number;
  jobs_ever_failed: number;
  retried_then_completed: number;
}

/**
 * Every figure of GET /api/scrape-jobs/stats except the recommendations, computed by the
 * database in a handful of aggregate queries (no rows are loaded into memory except the
 * domain's recent-job list).
 */
export async function computeJobStats(prisma: Prisma, scope: StatsScope, now: Date): Promise<Omit<JobStatsReport, 'recommendations'>> {
  const where = whereScope(scope);
  const [totalsRows, byStatus, byType, byPriority, trends, commonErrors, errorsByDomain] = await Promise.all([
    prisma.$queryRaw<Totals[]>`
      SELECT
        count(*)::int AS total,
        count(*) FILTER (WHERE status = 'completed')::int AS completed,
        count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status = 'pending')::int AS pending,
        count(*) FILTER (WHERE status = 'running')::int AS running,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
        avg(${DURATION}) FILTER (WHERE status = 'completed' AND started_at IS NOT NULL) AS avg_completion,
        avg(${DURATION}) FILTER (WHERE ${FINISHED}) AS avg_duration,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DURATION}) FILTER (WHERE ${FINISHED}) AS median_duration,
        min(${DURATION}) FILTER (WHERE ${FINISHED}) AS fastest,
        max(${DURATION}) FILTER (WHERE ${FINISHED}) AS slowest,
        avg(${seconds(sql`created_at`, sql`started_at`)}) FILTER (WHERE started_at IS NOT NULL) AS avg_wait,
        COALESCE(sum(${statNumber('pagesProcessed')}), 0)::float8 AS pages_total,
        count(*) FILTER (WHERE jsonb_typeof(stats -> 'pagesProcessed') = 'number')::int AS jobs_with_pages,
        COALESCE(sum(${statNumber('pagesProcessed')}) FILTER (WHERE ${FINISHED}), 0)::float8 AS finished_pages,
        sum(${DURATION}) FILTER (WHERE ${FINISHED}) AS finished_seconds,
        COALESCE(sum(${statNumber('successfulRequests')}), 0)::float8 AS successful_requests,
        COALESCE(sum(${statNumber('failedRequests')}), 0)::float8 AS failed_requests,
        count(*) FILTER (WHERE retry_count > 0)::int AS jobs_with_retries,
        COALESCE(sum(retry_count), 0)::int AS total_retries,
        count(*) FILTER (WHERE retry_count > 0 OR status = 'failed')::int AS jobs_ever_failed,
        count(*) FILTER (WHERE retry_count > 0 AND status = 'completed')::int AS retried_then_completed
      FROM scrape_jobs ${where}`,
    prisma.$queryRaw<Array<{ key: string; n: number }>>`SELECT status::text AS key, count(*)::int AS n FROM scrape_jobs ${where} GROUP BY status`,
    prisma.$queryRaw<Array<{ key: string; n: number }>>`SELECT job_type::text AS key, count(*)::int AS n FROM scrape_jobs ${where} GROUP BY job_type`,
    prisma.$queryRaw<Array<{ key: number; n: number }>>`SELECT priority AS key, count(*)::int AS n FROM scrape_jobs ${where} GROUP BY priority`,
    Promise.all(
      ([1, 7, 30] as const).map(async (days) => {
        const since = new Date(now.getTime() - days * 86_400_000);
        const [row] = await prisma.$queryRaw<Array<{ created: number; completed: number; finished: number }>>`
          SELECT
            count(*) FILTER (WHERE created_at >= ${ts(since)})::int AS created,
            count(*) FILTER (WHERE status = 'completed' AND completed_at >= ${ts(since)})::int AS completed,
            count(*) FILTER (WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at >= ${ts(since)})::int AS finished
          FROM scrape_jobs ${where}`;
        return { jobsCreated: row!.created, jobsCompleted: row!.completed, successRate: percent(row!.completed, row!.finished) } satisfies TrendWindow;
      }),
    ),
    prisma.$queryRaw<Array<{ error: string; count: number; all_failed: number }>>`
      SELECT error_message AS error, count(*)::int AS count, sum(count(*)) OVER ()::int AS all_failed
      FROM scrape_jobs ${whereScope(scope, [sql`status = 'failed'`, sql`error_message IS NOT NULL`])}
      GROUP BY error_message ORDER BY count(*) DESC, error_message LIMIT 10`,
    prisma.$queryRaw<Array<{ domain: string; error_count: number; total_jobs: number }>>`
      SELECT domain, count(*) FILTER (WHERE status = 'failed')::int AS error_count, count(*)::int AS total_jobs
      FROM scrape_jobs ${where}
      GROUP BY domain HAVING count(*) FILTER (WHERE status = 'failed') > 0
      ORDER BY error_count DESC, domain LIMIT 10`,
  ]);
  const t = totalsRows[0]!;
  const counts = (rows: Array<{ key: string | number; n: number }>, keys: readonly (string | number)[]) =>
    Object.fromEntries(keys.map((k) => [String(k), rows.find((r) => String(r.key) === String(k))?.n ?? 0]));
  const finished = t.completed + t.failed + t.cancelled;
  const requests = t.successful_requests + t.failed_requests;
  const allFailed = commonErrors[0]?.all_failed ?? 0;

  const report: Omit<JobStatsReport, 'recommendations'> = {
    domain: scope.domain ?? 'all_domains',
    timestamp: now.toISOString(),
    overview: {
      totalJobs: t.total,
      completedJobs: t.completed,
      failedJobs: t.failed,
      pendingJobs: t.pending,
      runningJobs: t.running,
      cancelledJobs: t.cancelled,
      successRate: percent(t.completed, finished),
      avgCompletionTime: round2(t.avg_completion),
    },
    statusBreakdown: counts(byStatus, JOB_STATUSES) as JobStatsReport['statusBreakdown'],
    jobTypeBreakdown: counts(byType, JOB_TYPES) as JobStatsReport['jobTypeBreakdown'],
    priorityDistribution: counts(byPriority, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    performance: {
      avgPagesPerJob: t.jobs_with_pages > 0 ? round2(t.pages_total / t.jobs_with_pages) : 0,
      totalPagesProcessed: round2(t.pages_total),
      avgProcessingSpeed: t.finished_seconds ? round2(t.finished_pages / t.finished_seconds) : 0,
      successfulRequests: round2(t.successful_requests),
      failedRequests: round2(t.failed_requests),
      requestSuccessRate: percent(t.successful_requests, requests),
    },
    timeMetrics: {
      avgJobDuration: round2(t.avg_duration),
      medianJobDuration: round2(t.median_duration),
      fastestJob: round2(t.fastest),
      slowestJob: round2(t.slowest),
      avgWaitTime: round2(t.avg_wait),
    },
    retryAnalysis: {
      jobsWithRetries: t.jobs_with_retries,
      totalRetries: t.total_retries,
      avgRetriesPerFailedJob: t.jobs_ever_failed > 0 ? round2(t.total_retries / t.jobs_ever_failed) : 0,
      retrySuccessRate: percent(t.retried_then_completed, t.jobs_with_retries),
    },
    trends: { last24Hours: trends[0]!, last7Days: trends[1]!, last30Days: trends[2]! },
    errorAnalysis: {
      commonErrors: commonErrors.map((e) => ({ error: e.error, count: e.count, percentage: percent(e.count, allFailed) })),
      errorsByDomain: errorsByDomain.map((d) => ({
        domain: d.domain,
        errorCount: d.error_count,
        totalJobs: d.total_jobs,
        errorRate: percent(d.error_count, d.total_jobs),
      })),
    },
  };
  if (scope.domain) report.jobHistory = await recentJobs(prisma, scope);
  return report;
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
