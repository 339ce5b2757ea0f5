/**
 * Database.queryRows (the driver straight, past Prisma) gives a job exactly as Prisma's raw
 * query does: findJob reads through it, so any difference in how the two type a column
 * (timestamps, JSON, enums, nulls) would change what the API answers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findJob } from '../src/jobs-repository.ts';
import { toScrapeJob, type JobRow } from '../src/job-row.ts';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '../src/testing/index.ts';

const JOBS = `
  INSERT INTO scrape_jobs (domain, customer_config_id, job_type, status, priority, retry_count, config, metadata, stats,
                           started_at, completed_at, error_message, worker_id, created_at, updated_at)
  VALUES ('plain.example.com', NULL, 'domain_scrape', 'pending', 5, 0, '{}', '{}', '{}', NULL, NULL, NULL, NULL,
          '2026-12-01T10:00:00.123Z', '2026-12-01T10:00:00.123Z'),
         ('full.example.com', '11111111-1111-4111-8111-111111111111', 'product_catalog', 'failed', 9, 2,
          '{"depth": 2, "userAgent": "bot/1", "nested": {"list": [1, 2.5, "x", null, true]}}',
          '{"note": "ünïcødé ✓", "empty": {}}', '{"pagesProcessed": 12, "ratio": 0.25}',
          '2026-12-01T10:00:01.001Z', '2026-12-01T10:05:00.999Z', 'HTTP 503 from origin', 'worker-7',
          '2026-12-01T09:59:59.000Z', '2026-12-01T10:05:00.999Z')
  RETURNING id`;

describe.each(['pglite', 'postgres'] as const satisfies readonly DatabaseKind[])('queryRows on %s', (kind) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t?.destroy());

  test('findJob answers what a Prisma raw query of the same row answers, for every column', async () => {
    const ids = (await t.db.prisma.$queryRawUnsafe<Array<{ id: string }>>(JOBS)).map((row) => row.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const [viaPrisma] = await t.db.prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs WHERE id = ${id}::uuid`;
      const job = await findJob(t.db, id);
      expect(job).toEqual(toScrapeJob(viaPrisma!));
    }
    const full = (await findJob(t.db, ids[1]!))!;
    expect(full).toMatchObject({ status: 'failed', priority: 9, retry_count: 2, started_at: '2026-12-01T10:00:01.001Z', config: { nested: { list: [1, 2.5, 'x', null, true] } } });
    expect(await findJob(t.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
