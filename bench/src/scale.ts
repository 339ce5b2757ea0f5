/**
 * Scale: the service's list, filter and stats queries on tables of 10k and 100k jobs
 * (PostgreSQL). No peer: the figure is how time grows against the table's growth.
 */
import { createScrapeJobManager } from '@scrape-jobs/api';
import { createTestDatabase } from '@scrape-jobs/db/testing';
import { listJobsInputSchema } from '@scrape-jobs/domain';
import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { QUICK, round, summarize, table, type Summary } from './lib.ts';

const SIZES = QUICK ? [10_000, 30_000] : [10_000, 100_000];
const REPEATS = QUICK ? 5 : 9;
const DOMAINS = 500;

/** 60% completed, 20% failed, 10% cancelled, 10% pending (each pending on its own domain: one active job per domain). */
const FILL = `
  INSERT INTO scrape_jobs (domain, status, priority, completed_at, created_at, updated_at, available_at, stats)
  SELECT CASE WHEN s.status = 'pending' THEN 'p' || g || '.example.com' ELSE 'site' || (g % ${DOMAINS}) || '.example.com' END,
         s.status::job_status, 1 + g % 10,
         CASE WHEN s.status = 'pending' THEN NULL ELSE now() - make_interval(secs => g) END,
         now() - make_interval(secs => g + 60), now() - make_interval(secs => g), now() - make_interval(secs => g + 60),
         CASE WHEN s.status = 'completed' THEN jsonb_build_object('pagesCrawled', g % 100, 'productsFound', g % 37) ELSE '{}'::jsonb END
  FROM generate_series(1, $1::int) g,
       LATERAL (SELECT CASE WHEN g % 10 < 6 THEN 'completed' WHEN g % 10 < 8 THEN 'failed' WHEN g % 10 = 8 THEN 'cancelled' ELSE 'pending' END AS status) s`;

export interface ScaleRow {
  query: string;
  ms: Record<number, Summary>;
}

export async function benchScale(): Promise<{ rows: ScaleRow[]; tables: string[]; settings: object }> {
  const queries: { name: string; run: (m: ReturnType<typeof createScrapeJobManager>) => Promise<unknown> }[] = [
    { name: 'list: first page (20), newest first, with total', run: (m) => m.getJobs(listJobsInputSchema.parse({})) },
    { name: 'list: page at offset 5000', run: (m) => m.getJobs(listJobsInputSchema.parse({ offset: 5000 })) },
    { name: 'filter: status=failed & domain', run: (m) => m.getJobs(listJobsInputSchema.parse({ status: 'failed', domain: 'site7.example.com' })) },
    { name: 'filter: status=pending', run: (m) => m.getJobs(listJobsInputSchema.parse({ status: 'pending' })) },
    { name: 'stats: all jobs', run: (m) => m.getJobStats({}) },
    { name: 'stats: one domain', run: (m) => m.getJobStats({ domain: 'site7.example.com' }) },
  ];
  const rows: ScaleRow[] = queries.map((q) => ({ query: q.name, ms: {} }));
  for (const size of SIZES) {
    const database = await createTestDatabase('postgres', { poolSize: 4 });
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(FILL, [size]);
      await client.query('ANALYZE scrape_jobs');
      await client.end();
      const manager = createScrapeJobManager({ db: database.db });
      for (const [i, q] of queries.entries()) {
        for (let w = 0; w < 2; w++) await q.run(manager); // warm-up: plans, caches
        const times: number[] = [];
        for (let r = 0; r < REPEATS; r++) {
          const t0 = performance.now();
          await q.run(manager);
          times.push(performance.now() - t0);
        }
        rows[i]!.ms[size] = summarize(times.map((t) => round(t, 2)));
        console.error(`  scale: ${size} jobs: ${q.name}: ${rows[i]!.ms[size]!.median.toFixed(2)} ms`);
      }
    } finally {
      await database.destroy();
    }
  }
  const [small, large] = SIZES as [number, number];
  const tables = [
    table(
      `Scale: service queries on PostgreSQL, median of ${REPEATS} (min–max) ms after 2 warm-ups; the table grows ${large / small}×`,
      ['query', `${small / 1000}k jobs ms`, `${large / 1000}k jobs ms`, 'time grows'],
      rows.map((r) => [r.query, fmt(r.ms[small]!), fmt(r.ms[large]!), `${(r.ms[large]!.median / r.ms[small]!.median).toFixed(1)}×`]),
    ),
  ];
  return { rows, tables, settings: { sizes: SIZES, repeats: REPEATS, domains: DOMAINS } };
}

const fmt = (s: Summary) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
