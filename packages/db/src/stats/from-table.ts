import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '@scrape-jobs/domain';
import type { Prisma } from '../open-database.ts';
import { empty, join, sql, ts, type Sql } from '../sql.ts';
import { countsOf, figuresOfSums, PRIORITIES, TREND_DAYS, type StatsFigures, type StatsScope, type SumsRow } from './figures.ts';

/** A numeric stats field, 0 when missing or not a number (stats are partly free-form). */
const statNumber = (key: string): Sql => sql`job_stat_number(stats, ${key})`;
const DURATION = sql`job_duration_seconds(started_at, completed_at)`;
const WAIT = sql`EXTRACT(EPOCH FROM (started_at - created_at))`;
const FINISHED = sql`status IN ('completed', 'failed', 'cancelled') AND started_at IS NOT NULL`;

export function whereScope(scope: StatsScope, extra: Sql[] = []): Sql {
  const conditions = [...extra];
  if (scope.domain) conditions.push(sql`domain = ${scope.domain}`);
  if (scope.customer_config_id) conditions.push(sql`customer_config_id = ${scope.customer_config_id}::uuid`);
  if (scope.tenant_id) conditions.push(sql`customer_config_id = ${scope.tenant_id}::uuid`);
  return conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
}

interface TotalsRow extends SumsRow {
  median: number | null;
  fastest: number | null;
  slowest: number | null;
}

/**
 * The figures computed from scrape_jobs itself: a handful of aggregates over the scope's rows.
 * Used for one domain's report (an index finds its rows) and as the reference the rollups
 * are tested against. Sums are numeric, as in the rollups, so both are exact.
 */
export async function figuresFromTable(prisma: Prisma, scope: StatsScope, now: Date): Promise<StatsFigures> {
  const where = whereScope(scope);
  const [totalsRows, byStatus, byType, byPriority, trends, commonErrors, errorsByDomain] = await Promise.all([
    prisma.$queryRaw<TotalsRow[]>`
      SELECT
        count(*) FILTER (WHERE status = 'completed' AND started_at IS NOT NULL)::int AS completion_n,
        sum(${DURATION}) FILTER (WHERE status = 'completed' AND started_at IS NOT NULL)::float8 AS completion_s,
        count(*) FILTER (WHERE ${FINISHED})::int AS finished_n,
        sum(${DURATION}) FILTER (WHERE ${FINISHED})::float8 AS finished_s,
        sum(${statNumber('pagesProcessed')}) FILTER (WHERE ${FINISHED})::float8 AS finished_pages,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DURATION}::float8) FILTER (WHERE ${FINISHED}) AS median,
        min(${DURATION}::float8) FILTER (WHERE ${FINISHED}) AS fastest,
        max(${DURATION}::float8) FILTER (WHERE ${FINISHED}) AS slowest,
        count(*) FILTER (WHERE started_at IS NOT NULL)::int AS wait_n,
        sum(${WAIT}) FILTER (WHERE started_at IS NOT NULL)::float8 AS wait_s,
        count(*) FILTER (WHERE jsonb_typeof(stats -> 'pagesProcessed') = 'number')::int AS pages_n,
        sum(${statNumber('pagesProcessed')})::float8 AS pages,
        sum(${statNumber('successfulRequests')})::float8 AS successful_requests,
        sum(${statNumber('failedRequests')})::float8 AS failed_requests,
        count(*) FILTER (WHERE retry_count > 0)::int AS jobs_with_retries,
        COALESCE(sum(retry_count), 0)::int AS total_retries,
        count(*) FILTER (WHERE retry_count > 0 OR status = 'failed')::int AS jobs_ever_failed,
        count(*) FILTER (WHERE retry_count > 0 AND status = 'completed')::int AS retried_then_completed
      FROM scrape_jobs ${where}`,
    prisma.$queryRaw<Array<{ key: string; n: number }>>`SELECT status::text AS key, count(*)::int AS n FROM scrape_jobs ${where} GROUP BY status`,
    prisma.$queryRaw<Array<{ key: string; n: number }>>`SELECT job_type::text AS key, count(*)::int AS n FROM scrape_jobs ${where} GROUP BY job_type`,
    prisma.$queryRaw<Array<{ key: number; n: number }>>`SELECT priority AS key, count(*)::int AS n FROM scrape_jobs ${where} GROUP BY priority`,
    Promise.all(
      TREND_DAYS.map(async (days) => {
        const since = new Date(now.getTime() - days * 86_400_000);
        const [row] = await prisma.$queryRaw<Array<{ created: number; completed: number; finished: number }>>`
          SELECT
            count(*) FILTER (WHERE created_at >= ${ts(since)})::int AS created,
            count(*) FILTER (WHERE status = 'completed' AND completed_at >= ${ts(since)})::int AS completed,
            count(*) FILTER (WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at >= ${ts(since)})::int AS finished
          FROM scrape_jobs ${where}`;
        return row!;
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
  return {
    byStatus: countsOf(JOB_STATUSES, byStatus) as Record<JobStatus, number>,
    byType: countsOf(JOB_TYPES, byType) as Record<JobType, number>,
    byPriority: countsOf(PRIORITIES, byPriority),
    ...figuresOfSums(t),
    medianDuration: t.median,
    fastest: t.fastest,
    slowest: t.slowest,
    trends,
    commonErrors: commonErrors.map(({ error, count }) => ({ error, count })),
    failedWithMessage: commonErrors[0]?.all_failed ?? 0,
    errorsByDomain,
  };
}
