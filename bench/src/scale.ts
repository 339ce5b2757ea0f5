/**
 * Scale: the service's list, filter and stats queries on tables of 10k, 100k and 1M jobs
 * (PostgreSQL), with the plan PostgreSQL picks for each list query. No peer: the figure is
 * how time grows against the table's growth.
 */
import { callerFor, createScrapeJobManager, OPEN_CALLER, type Caller, type ScrapeJobManager } from '@scrape-jobs/api';
import { createTestDatabase } from '@scrape-jobs/db/testing';
import { listJobsInputSchema, OPEN_PRINCIPAL, type ListJobs } from '@scrape-jobs/domain';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { QUICK, round, summarize, table, type Summary } from './lib.ts';

const SIZES = QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const REPEATS = QUICK ? 3 : 7;
const WARMUPS = 2;
const DOMAINS = 1000;
/** Tenants t0…t19 plus jobs without a tenant (one in 21). */
const TENANTS = 20;
const tenantId = (t: number) => `md5('tenant${t}')::uuid`;

/**
 * The fill, one statement per size. Pseudo-random but deterministic columns (hashint4 of the
 * row number, so status, domain, tenant and type are not correlated with each other):
 * - 0.5% running and 1% pending, each on its own domain (one active job per tenant, domain
 *   and type), created in the last hour; the rest finished: 75% completed, 18% failed, 7% cancelled;
 * - 1000 domains, 20 tenants + 1/21 without a tenant, the 5 job types, priorities 1–10,
 *   10% with retries, six error messages, crawl stats on finished jobs;
 * - created_at spread evenly over the last 90 days, started 1–120 s and finished 5–600 s later.
 */
const FILL = `
  WITH g AS (
    SELECT i,
           mod(hashint4(i)::int8 + 2147483648, 1000) AS h_status,
           mod(hashint4(i + 1000000007)::int8 + 2147483648, ${DOMAINS}) AS h_domain,
           mod(hashint4(i + 2000000011)::int8 + 2147483648, ${TENANTS + 1}) AS h_tenant,
           mod(hashint4(i + 300000007)::int8 + 2147483648, 100) AS h_type,
           mod(hashint4(i + 400000009)::int8 + 2147483648, 600) AS h_time
    FROM generate_series(1, $1::int) i
  ), s AS (
    SELECT g.*,
           CASE WHEN h_status < 5 THEN 'running' WHEN h_status < 15 THEN 'pending'
                WHEN h_status < 15 + 740 THEN 'completed' WHEN h_status < 15 + 740 + 178 THEN 'failed' ELSE 'cancelled' END AS status,
           CASE WHEN h_status < 15 THEN now() - make_interval(secs => h_time * 6)
                ELSE now() - make_interval(secs => ($1::int - i) * (90 * 86400.0 / $1::int) + 1000) END AS created
    FROM g
  )
  INSERT INTO scrape_jobs (domain, customer_config_id, job_type, status, priority, retry_count, stats, error_message,
                           worker_id, claimed_at, claim_token, claim_expires_at, started_at, completed_at, available_at, created_at, updated_at)
  SELECT CASE WHEN status IN ('pending', 'running') THEN 'q' || i || '.example.com' ELSE 'site' || h_domain || '.example.com' END,
         CASE WHEN h_tenant = ${TENANTS} THEN NULL ELSE md5('tenant' || h_tenant)::uuid END,
         (ARRAY['domain_scrape','domain_scrape','domain_scrape','single_page','sitemap_crawl','product_catalog','product_catalog','content_update','domain_scrape','single_page'])[1 + h_type % 10]::job_type,
         status::job_status, 1 + h_time % 10,
         CASE WHEN h_type < 10 THEN 1 + h_type % 2 ELSE 0 END,
         CASE WHEN status = 'completed' THEN jsonb_build_object('pagesProcessed', 5 + h_time % 200, 'successfulRequests', 5 + h_time % 200, 'failedRequests', h_time % 7, 'dataExtracted', jsonb_build_object('products', h_time % 90))
              WHEN status = 'failed' THEN jsonb_build_object('pagesProcessed', h_time % 20, 'successfulRequests', h_time % 20, 'failedRequests', 1 + h_time % 5)
              ELSE '{}'::jsonb END,
         CASE WHEN status = 'failed' THEN (ARRAY['Timeout after 30000 ms','HTTP 503 from origin','robots.txt disallows the start URL','DNS lookup failed','TLS handshake failed','Too many redirects'])[1 + h_time % 6] END,
         CASE WHEN status = 'running' THEN 'bench-worker' END,
         CASE WHEN status = 'running' THEN created + interval '1 second' END,
         CASE WHEN status = 'running' THEN gen_random_uuid() END,
         CASE WHEN status = 'running' THEN now() + interval '5 minutes' END,
         CASE WHEN status <> 'pending' THEN created + make_interval(secs => 1 + h_time % 120) END,
         CASE WHEN status IN ('completed', 'failed', 'cancelled') THEN created + make_interval(secs => 1 + h_time % 120 + 5 + h_time) END,
         created, created,
         CASE WHEN status IN ('completed', 'failed', 'cancelled') THEN created + make_interval(secs => 1 + h_time % 120 + 5 + h_time)
              WHEN status = 'running' THEN created + interval '1 second' ELSE created END
  FROM s`;

const DOMAIN = 'site7.example.com';
const tenantCaller = (id: string): Caller => callerFor({ principal: { ...OPEN_PRINCIPAL, keyId: 'bench', name: 'tenant key', role: 'viewer', tenantId: id } });

interface Query {
  name: string;
  run(m: ScrapeJobManager, tenant: Caller): Promise<unknown>;
  /** For the list queries: the filter and the tenant, to EXPLAIN the SQL that listJobs sends. */
  list?: { filter: ListJobs; tenant: boolean };
  /** For the stats queries: the scope, to EXPLAIN the report's totals aggregate (reduced). */
  stats?: { domain?: string; tenant: boolean };
}

const list = (input: object) => listJobsInputSchema.parse(input);
const QUERIES: Query[] = [
  { name: 'list: first page (20), newest first, with total', list: { filter: list({}), tenant: false }, run: (m) => m.getJobs(list({})) },
  { name: 'list: status=failed', list: { filter: list({ status: 'failed' }), tenant: false }, run: (m) => m.getJobs(list({ status: 'failed' })) },
  { name: `list: domain=${DOMAIN}`, list: { filter: list({ domain: DOMAIN }), tenant: false }, run: (m) => m.getJobs(list({ domain: DOMAIN })) },
  { name: 'list: one tenant (a tenant key)', list: { filter: list({}), tenant: true }, run: (m, t) => m.getJobs(list({}), t) },
  { name: 'stats: all jobs', stats: { tenant: false }, run: (m) => m.getJobStats({}, OPEN_CALLER) },
  { name: 'stats: one domain', stats: { domain: DOMAIN, tenant: false }, run: (m) => m.getJobStats({ domain: DOMAIN }, OPEN_CALLER) },
  { name: 'stats: one tenant (a tenant key)', stats: { tenant: true }, run: (m, t) => m.getJobStats({}, t) },
];

/** The SQL of repo.listJobs (packages/db/src/jobs-repository.ts) for the filters used here, literal values inlined for EXPLAIN. */
function listSql(filter: ListJobs, tenant: string | null): { page: string; count: string } {
  const conditions: string[] = [];
  if (tenant) conditions.push(`customer_config_id = '${tenant}'::uuid`);
  if (filter.domain) conditions.push(`domain = '${filter.domain}'`);
  if (filter.status?.length) conditions.push(`status = ANY('{${filter.status.join(',')}}'::job_status[])`);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  // pagination.total: counted only with a domain; otherwise summed from the stats rollup.
  const rollupWhere = conditions.filter((c) => !c.startsWith('domain')).join(' AND ');
  return {
    page: `SELECT * FROM scrape_jobs ${where} ORDER BY created_at DESC, id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}`,
    count: filter.domain
      ? `SELECT count(*)::int AS total FROM scrape_jobs ${where}`
      : `SELECT COALESCE(sum(jobs), 0)::int AS total FROM job_stats_totals_live ${rollupWhere ? `WHERE ${rollupWhere}` : ''}`,
  };
}

/**
 * A reduced form of the report's totals query: for one domain, over scrape_jobs
 * (packages/db/src/stats/from-table.ts; it reads durations and the stats JSON, so no index can
 * answer it alone; its sibling aggregates have the same WHERE); for all jobs and a tenant, over
 * the rollup job_stats_totals through its _live view (packages/db/src/stats/from-rollup.ts).
 */
function statsSql(scope: { domain?: string }, tenant: string | null): string {
  // All jobs and one tenant read the rollups (packages/db/src/stats/from-rollup.ts): its totals part.
  if (!scope.domain) {
    return `SELECT sum(jobs) FILTER (WHERE status = 'completed') AS completed, sum(timed_seconds) FILTER (WHERE status = 'completed')::float8 AS completion_s,
              sum(pages)::float8 AS pages FROM job_stats_totals_live ${tenant ? `WHERE customer_config_id = '${tenant}'::uuid` : ''}`;
  }
  const conditions: string[] = [];
  if (scope.domain) conditions.push(`domain = '${scope.domain}'`);
  if (tenant) conditions.push(`customer_config_id = '${tenant}'::uuid`);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'completed')::int AS completed,
            avg(EXTRACT(EPOCH FROM (completed_at - started_at))::float8) FILTER (WHERE status = 'completed' AND started_at IS NOT NULL) AS avg_completion,
            COALESCE(sum(CASE WHEN jsonb_typeof(stats -> 'pagesProcessed') = 'number' THEN (stats ->> 'pagesProcessed')::float8 ELSE 0 END), 0)::float8 AS pages_total
          FROM scrape_jobs ${where}`;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Partial Mode'?: string;
  'Parallel Aware'?: boolean;
  Plans?: PlanNode[];
}

/** "Limit → Incremental Sort → Index Scan (scrape_jobs_created_idx)": the plan's spine, first child at each level. */
function spine(node: PlanNode): string {
  const parts: string[] = [];
  for (let n: PlanNode | undefined = node; n; n = n.Plans?.[0]) {
    const mode = n['Partial Mode'] && n['Partial Mode'] !== 'Simple' ? `${n['Partial Mode']} ` : '';
    const parallel = n['Parallel Aware'] ? 'Parallel ' : '';
    const backward = n['Scan Direction'] === 'Backward' ? ' Backward' : '';
    parts.push(`${mode}${parallel}${n['Node Type']}${backward}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`);
  }
  return parts.join(' → ');
}

async function explain(client: pg.Client, text: string): Promise<string> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`);
  return spine(rows[0]!['QUERY PLAN'][0].Plan);
}

export interface ScaleRow {
  query: string;
  ms: Record<number, Summary>;
  /** The plan of a list's page query and of its count; for stats, of the totals aggregate (in `count`). */
  plans?: Record<number, { page: string; count: string }>;
}

export async function benchScale(): Promise<{ rows: ScaleRow[]; tables: string[]; settings: object; fillSeconds: Record<number, number>; tableMb: Record<number, number> }> {
  const rows: ScaleRow[] = QUERIES.map((q) => ({ query: q.name, ms: {}, ...(q.list || q.stats ? { plans: {} } : {}) }));
  const fillSeconds: Record<number, number> = {};
  const tableMb: Record<number, number> = {};
  for (const size of SIZES) {
    const database = await createTestDatabase('postgres', { poolSize: 4 });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const started = performance.now();
      // The change-feed and webhook-outbox triggers would send one notification per row;
      // a bulk load into a database nobody listens on skips them. The stats rollups are
      // then recomputed in one pass (what the migration's backfill does), counted in the fill.
      await client.query('ALTER TABLE scrape_jobs DISABLE TRIGGER USER');
      await client.query(FILL, [size]);
      await client.query('ALTER TABLE scrape_jobs ENABLE TRIGGER USER');
      await client.query('SELECT job_stats_rebuild()');
      // What autovacuum does soon after a bulk load: statistics and the visibility map.
      await client.query('VACUUM ANALYZE scrape_jobs, job_stats_totals, job_stats_hourly, job_stats_durations, job_stats_errors, job_stats_domains');
      fillSeconds[size] = round((performance.now() - started) / 1000, 1);
      const { rows: sizeRows } = await client.query<{ mb: number }>(`SELECT (pg_total_relation_size('scrape_jobs') / 1048576)::int AS mb`);
      tableMb[size] = sizeRows[0]!.mb;
      const { rows: tenantRows } = await client.query<{ id: string }>(`SELECT ${tenantId(3)}::text AS id`);
      const tenant = tenantRows[0]!.id;
      const tenantKey = tenantCaller(tenant);
      console.error(`  scale: ${size} jobs filled in ${fillSeconds[size]} s (table and indexes ${tableMb[size]} MB)`);
      const manager = createScrapeJobManager({ db: database.db });
      for (const [i, q] of QUERIES.entries()) {
        if (q.list) {
          const sqls = listSql(q.list.filter, q.list.tenant ? tenant : null);
          rows[i]!.plans![size] = { page: await explain(client, sqls.page), count: await explain(client, sqls.count) };
        }
        if (q.stats) rows[i]!.plans![size] = { page: '—', count: await explain(client, statsSql(q.stats, q.stats.tenant ? tenant : null)) };
        for (let w = 0; w < WARMUPS; w++) await q.run(manager, tenantKey); // plans, caches
        const times: number[] = [];
        for (let r = 0; r < REPEATS; r++) {
          const t0 = performance.now();
          await q.run(manager, tenantKey);
          times.push(performance.now() - t0);
        }
        rows[i]!.ms[size] = summarize(times.map((t) => round(t, 2)));
        console.error(`  scale: ${size} jobs: ${q.name}: ${rows[i]!.ms[size]!.median.toFixed(2)} ms`);
      }
    } finally {
      await client.end();
      await database.destroy();
    }
  }
  const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
  const steps = SIZES.slice(1).map((size, k) => [SIZES[k]!, size] as const);
  const tables = [
    table(
      `Scale: service queries on PostgreSQL, median of ${REPEATS} (min–max) ms after ${WARMUPS} warm-ups; "time ×" is the growth of the median when the table grows ${steps.map(([a, b]) => `${b / a}×`).join(', then ')} (rows ×)`,
      ['query', ...SIZES.map((s) => `${label(s)} jobs ms`), ...steps.map(([a, b]) => `time × ${label(a)}→${label(b)} (rows × ${b / a})`)],
      rows.map((r) => [r.query, ...SIZES.map((s) => fmt(r.ms[s]!)), ...steps.map(([a, b]) => `${(r.ms[b]!.median / r.ms[a]!.median).toFixed(1)}×`)]),
    ),
    table(
      `Scale: PostgreSQL's plans (EXPLAIN of the SQL the service sends: a list's page and its pagination.total — a count with a domain, else a sum over the stats rollup; for stats, a reduced form of the report's totals: over the rollup for all jobs and a tenant, over the table for a domain)`,
      ['query', 'jobs', 'page plan', 'count / stats aggregate plan'],
      rows.filter((r) => r.plans).flatMap((r) => SIZES.map((s) => [r.query, label(s), r.plans![s]!.page, r.plans![s]!.count])),
    ),
  ];
  return { rows, tables, fillSeconds, tableMb, settings: { sizes: SIZES, repeats: REPEATS, warmups: WARMUPS, domains: DOMAINS, tenants: TENANTS } };
}

const fmt = (s: Summary) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
