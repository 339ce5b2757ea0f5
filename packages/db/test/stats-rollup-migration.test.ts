/**
 * The stats rollup migration on a table that already has jobs: its backfill gives the
 * rollups of every row, so the report read from them equals the report computed from the
 * table, and the triggers it adds keep them so through later writes.
 */
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, test } from 'vitest';
import { applyMigrations, readMigrations } from '../src/migrate.ts';
import { openDatabase, pgliteRunner } from '../src/open-database.ts';
import { computeJobStats } from '../src/stats/report.ts';

const TENANT = '33333333-3333-4333-8333-333333333333';
const NOW = new Date('2026-12-01T10:20:30.400Z');

// 600 jobs over the last 45 days: every status and type, two tenants and none, retries,
// errors, stats with and without numbers, run times from 0.1 s to hours.
const OLD_JOBS = `
  WITH g AS (SELECT i, (i * 7919) % 1000 AS h FROM generate_series(1, 600) i),
  s AS (
    SELECT g.*, (ARRAY['completed','completed','failed','cancelled','completed','failed'])[1 + h % 6] AS status,
           '${NOW.toISOString()}'::timestamptz - make_interval(secs => i * 6480.5) AS created
    FROM g)
  INSERT INTO scrape_jobs (domain, customer_config_id, job_type, status, priority, retry_count, stats, error_message, started_at, completed_at, created_at, updated_at)
  SELECT 'site' || (h % 9) || '.example.com',
         CASE h % 3 WHEN 0 THEN NULL WHEN 1 THEN '${TENANT}'::uuid ELSE md5('other')::uuid END,
         (enum_range(NULL::job_type))[1 + h % 5], status::job_status, 1 + h % 10, h % 4,
         CASE WHEN h % 5 = 0 THEN '{}'::jsonb WHEN h % 5 = 1 THEN '{"pagesProcessed": "many"}'::jsonb
              ELSE jsonb_build_object('pagesProcessed', h % 70, 'successfulRequests', h % 60, 'failedRequests', h % 4) END,
         CASE WHEN status = 'failed' THEN (ARRAY['Timeout', 'DNS lookup failed', 'HTTP 500'])[1 + h % 3] END,
         CASE WHEN status = 'cancelled' AND h % 2 = 0 THEN NULL ELSE created + make_interval(secs => h % 300) END,
         created + make_interval(secs => h % 300 + 0.1 + (h % 37) * (h % 11) * 13.377),
         created, created
  FROM s`;

describe('the stats rollup migration', () => {
  test('backfills the rollups of the jobs already there, and the triggers keep them after', async () => {
    const pglite = await PGlite.create();
    const migrations = readMigrations();
    const rollup = migrations.findIndex((m) => m.name.endsWith('_job_stats_rollup'));
    await applyMigrations(pgliteRunner(pglite), migrations.slice(0, rollup));
    await pglite.exec(OLD_JOBS);
    await pglite.exec(`INSERT INTO scrape_jobs (domain, customer_config_id, created_at, updated_at) VALUES ('waiting.example.com', '${TENANT}', '${NOW.toISOString()}', '${NOW.toISOString()}')`);
    await applyMigrations(pgliteRunner(pglite), migrations);
    const db = await openDatabase({ pglite, migrate: false });
    try {
      const compare = async () => {
        for (const scope of [{}, { tenant_id: TENANT }]) {
          expect(await computeJobStats(db.prisma, scope, NOW, 'rollup')).toEqual(await computeJobStats(db.prisma, scope, NOW, 'table'));
        }
      };
      const all = await computeJobStats(db.prisma, {}, NOW, 'rollup');
      expect(all.overview.totalJobs).toBe(601);
      expect(all.overview).toMatchObject({ pendingJobs: 1 });
      expect(all.overview.completedJobs * all.overview.failedJobs * all.overview.cancelledJobs).toBeGreaterThan(0);
      expect(all.trends.last7Days.jobsCreated).toBeGreaterThan(0);
      expect(all.trends.last30Days.jobsCreated).toBeGreaterThan(all.trends.last7Days.jobsCreated);
      expect(all.trends.last30Days.jobsCreated).toBeLessThan(all.overview.totalJobs);
      await compare();

      await pglite.exec(`
        UPDATE scrape_jobs SET status = 'pending', completed_at = NULL, started_at = NULL, error_message = NULL, retry_count = retry_count + 1
          WHERE id = (SELECT id FROM scrape_jobs WHERE status = 'failed' AND domain = 'site4.example.com' ORDER BY id LIMIT 1);
        UPDATE scrape_jobs SET priority = 1 + (priority % 10), stats = stats || '{"pagesProcessed": 3}' WHERE domain = 'site2.example.com';
        DELETE FROM scrape_jobs WHERE domain = 'site3.example.com' AND status = 'completed';`);
      await compare();
    } finally {
      await db.close();
    }
  });
});
