import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '@scrape-jobs/domain';
import type { Prisma } from '../open-database.ts';
import { empty, join, raw, sql, ts, type Sql } from '../sql.ts';
import { figuresOfSums, PRIORITIES, TREND_DAYS, type StatsFigures, type SumsRow } from './figures.ts';

const HOUR_MS = 3_600_000;
const FINISHED = raw(`status IN ('completed', 'failed', 'cancelled')`);

interface TotalsAnswer extends SumsRow {
  statuses: Record<JobStatus, number>;
  types: Record<JobType, number>;
  priorities: number[];
}

interface RollupAnswer {
  totals: TotalsAnswer;
  timed: number;
  durations: Array<{ name: 'fastest' | 'lo' | 'hi' | 'slowest'; k: number; d: number }> | null;
  trends: Array<{ created: number; completed: number; finished: number }>;
  errors: Array<{ error: string; count: number }> | null;
  failed_with_message: number;
  domains: Array<{ domain: string; error_count: number; total_jobs: number }> | null;
}

/**
 * The figures of all jobs (tenant undefined) or of one tenant, read from the rollups
 * (migrations 20261203060000_job_stats_rollup and 20261203070000_job_stats_deferred) in ONE
 * statement, so every figure is of the same snapshot. Each rollup is read through its
 * `_live` view: its rows plus the job changes not folded into it yet, several rows per key,
 * so every read sums by key (the totals add up the tenant rows; the other rollups have
 * all-jobs rows of their own). What a rollup cannot hold exactly is read from scrape_jobs
 * through an index, over a part that does not grow with the table's history:
 * - trends: the whole hours after `since` from job_stats_hourly, the rest of since's hour
 *   from the table (the created_at and completed_at indexes);
 * - median, fastest, slowest: the histogram job_stats_durations gives the bucket of the k-th
 *   run time, scrape_jobs_duration_idx the k-th inside that bucket.
 */
export async function figuresFromRollup(prisma: Prisma, tenant: string | undefined, now: Date): Promise<StatsFigures> {
  // ofTenant: rows of scrape_jobs and job_stats_totals; ofScope: the other rollups' rows of this scope.
  const ofTenant = tenant === undefined ? empty : sql`AND customer_config_id = ${tenant}::uuid`;
  const ofScope = tenant === undefined ? sql`all_jobs AND customer_config_id IS NULL` : sql`NOT all_jobs AND customer_config_id = ${tenant}::uuid`;
  const [row] = await prisma.$queryRaw<Array<{ answer: string }>>`
    WITH durations AS (
      SELECT bucket, sum(jobs) AS n FROM job_stats_durations_live WHERE ${ofScope} GROUP BY bucket HAVING sum(jobs) <> 0
    ), cumulative AS (
      SELECT bucket, n, sum(n) OVER (ORDER BY bucket) - n AS before, sum(n) OVER () AS total FROM durations
    ), positions AS (
      -- percentile_cont(0.5) interpolates between the values at floor and ceil of (n - 1) / 2.
      SELECT p.name, p.k
      FROM (SELECT max(total) AS total FROM cumulative) c,
           LATERAL (VALUES ('fastest', 0::numeric), ('lo', floor((c.total - 1) / 2.0)), ('hi', ceil((c.total - 1) / 2.0)), ('slowest', c.total - 1)) p(name, k)
      WHERE c.total > 0
    )
    SELECT json_build_object(
      'totals', (${totals(ofTenant)}),
      'timed', (SELECT COALESCE(max(total), 0) FROM cumulative),
      'durations', (
        SELECT json_agg(json_build_object('name', p.name, 'k', p.k, 'd', x.d))
        FROM positions p
        JOIN cumulative c ON p.k >= c.before AND p.k < c.before + c.n
        CROSS JOIN LATERAL (
          SELECT job_duration_seconds(started_at, completed_at)::float8 AS d
          FROM scrape_jobs
          WHERE started_at IS NOT NULL AND completed_at IS NOT NULL ${ofTenant}
            AND job_duration_bucket(job_duration_seconds(started_at, completed_at)) = c.bucket
          ORDER BY job_duration_seconds(started_at, completed_at)
          OFFSET p.k - c.before LIMIT 1) x),
      'trends', json_build_array(${join(TREND_DAYS.map((days) => trend(new Date(now.getTime() - days * 86_400_000), ofTenant, ofScope)))}),
      'errors', (
        SELECT json_agg(json_build_object('error', e.error_message, 'count', e.jobs) ORDER BY e.jobs DESC, e.error_message)
        FROM (SELECT min(error_message) AS error_message, sum(jobs) AS jobs FROM job_stats_errors_live WHERE ${ofScope}
              GROUP BY message_md5 HAVING sum(jobs) <> 0 ORDER BY jobs DESC, error_message LIMIT 10) e),
      'failed_with_message', (SELECT COALESCE(sum(jobs), 0)::int FROM job_stats_errors_live WHERE ${ofScope}),
      'domains', (
        SELECT json_agg(json_build_object('domain', d.domain, 'error_count', d.failed, 'total_jobs', d.jobs) ORDER BY d.failed DESC, d.domain)
        FROM (SELECT domain, sum(failed) AS failed, sum(jobs) AS jobs FROM job_stats_domains_live
              WHERE ${ofScope} AND domain IN (
                -- The candidates: the domains with failures in the rollup (its partial index), and the pending ones.
                SELECT domain FROM job_stats_domains WHERE ${ofScope} AND failed <> 0 AND failed > 0
                UNION SELECT domain FROM job_stats_domains_pending WHERE ${ofScope})
              GROUP BY domain HAVING sum(failed) > 0 ORDER BY failed DESC, domain LIMIT 10) d)
    )::text AS answer`;
  return toFigures(JSON.parse(row!.answer) as RollupAnswer);
}

/** One row over the scope's rollup rows; sums stay numeric until the end, as in the table's. */
function totals(ofTenant: Sql): Sql {
  const statuses = JOB_STATUSES.map((s) => `'${s}', COALESCE(sum(jobs) FILTER (WHERE status = '${s}'), 0)`).join(', ');
  const types = JOB_TYPES.map((t) => `'${t}', COALESCE(sum(type_${t}), 0)`).join(', ');
  const priorities = PRIORITIES.map((p) => `COALESCE(sum(priority_${p}), 0)`).join(', ');
  return sql`
    SELECT json_build_object(
      'statuses', json_build_object(${raw(statuses)}),
      'types', json_build_object(${raw(types)}),
      'priorities', json_build_array(${raw(priorities)}),
      'completion_n', COALESCE(sum(timed) FILTER (WHERE status = 'completed'), 0),
      'completion_s', (sum(timed_seconds) FILTER (WHERE status = 'completed'))::float8,
      'finished_n', COALESCE(sum(timed) FILTER (WHERE ${FINISHED}), 0),
      'finished_s', (sum(timed_seconds) FILTER (WHERE ${FINISHED}))::float8,
      'finished_pages', (sum(timed_pages) FILTER (WHERE ${FINISHED}))::float8,
      'wait_n', COALESCE(sum(started), 0),
      'wait_s', sum(wait_seconds)::float8,
      'pages_n', COALESCE(sum(paged), 0),
      'pages', sum(pages)::float8,
      'successful_requests', sum(successful_requests)::float8,
      'failed_requests', sum(failed_requests)::float8,
      'jobs_with_retries', COALESCE(sum(retried), 0),
      'total_retries', COALESCE(sum(retries), 0),
      'jobs_ever_failed', COALESCE(sum(retried), 0) + COALESCE(sum(jobs - retried) FILTER (WHERE status = 'failed'), 0),
      'retried_then_completed', COALESCE(sum(retried) FILTER (WHERE status = 'completed'), 0))
    FROM job_stats_totals_live WHERE true ${ofTenant}`;
}

/** Jobs created, completed and finished since `since`: the hours after since's hour from the rollup, the rest of since's hour from the table. */
function trend(since: Date, ofTenant: Sql, ofScope: Sql): Sql {
  const hour = Math.floor(since.getTime() / HOUR_MS);
  const edge = (column: string) => sql`${raw(column)} >= ${ts(since)} AND ${raw(column)} < ${ts(new Date((hour + 1) * HOUR_MS))} ${ofTenant}`;
  return sql`(
    SELECT json_build_object(
      'created', h.created + (SELECT count(*) FROM scrape_jobs WHERE ${edge('created_at')}),
      'completed', h.completed + (SELECT count(*) FROM scrape_jobs WHERE status = 'completed' AND ${edge('completed_at')}),
      'finished', h.finished + (SELECT count(*) FROM scrape_jobs WHERE ${FINISHED} AND ${edge('completed_at')}))
    FROM (SELECT COALESCE(sum(created), 0) AS created, COALESCE(sum(completed), 0) AS completed, COALESCE(sum(finished), 0) AS finished
          FROM job_stats_hourly_live WHERE ${ofScope} AND hour > ${hour}::int) h)`;
}

function toFigures(a: RollupAnswer): StatsFigures {
  const t = a.totals;
  const at = (name: string) => a.durations?.find((d) => d.name === name) ?? null;
  const lo = at('lo');
  const hi = at('hi');
  return {
    byStatus: t.statuses,
    byType: t.types,
    byPriority: Object.fromEntries(PRIORITIES.map((p, i) => [String(p), t.priorities[i]!])),
    ...figuresOfSums(t),
    // As percentile_cont computes it: lo + (hi − lo) × the fractional part of the position.
    medianDuration: lo && hi ? lo.d + (hi.d - lo.d) * ((a.timed - 1) / 2 - lo.k) : null,
    fastest: at('fastest')?.d ?? null,
    slowest: at('slowest')?.d ?? null,
    trends: a.trends,
    commonErrors: a.errors ?? [],
    failedWithMessage: a.failed_with_message,
    errorsByDomain: a.domains ?? [],
  };
}
