import type { PageResultRecord } from '@scrape-jobs/domain';
import type { Database } from './open-database.ts';
import { jsonb, sql, ts } from './sql.ts';

interface PageRow extends Omit<PageResultRecord, 'fetched_at'> {
  fetched_at: Date;
}

const toRecord = (row: PageRow): PageResultRecord => ({
  url: row.url,
  status: row.status,
  title: row.title,
  depth: row.depth,
  products: row.products,
  images: row.images,
  links: row.links,
  documents: row.documents,
  bytes: row.bytes,
  response_time_ms: row.response_time_ms,
  error: row.error,
  fetched_at: new Date(row.fetched_at).toISOString(),
});

/**
 * Stores a batch of pages, fenced like every worker write: nothing is written unless the
 * claim is held and live. A page sent again (a retried batch) replaces its row.
 * @returns how many pages were stored, or null when the claim is not held
 */
export async function insertPageResults(
  db: Pick<Database, 'queryRows'>,
  args: { jobId: string; claimToken: string; pages: PageResultRecord[]; now: Date },
): Promise<number | null> {
  const rows = await db.queryRows<{ stored: number; held: boolean }>(sql`
    WITH held AS (
      SELECT id FROM scrape_jobs
      WHERE id = ${args.jobId}::uuid AND status = 'running' AND claim_token = ${args.claimToken}::uuid AND claim_expires_at > ${ts(args.now)}
      FOR SHARE
    ),
    stored AS (
      INSERT INTO page_results (job_id, url, status, title, depth, products, images, links, documents, bytes, response_time_ms, error, fetched_at)
      SELECT held.id, p.url, p.status, p.title, p.depth, COALESCE(p.products, '[]'::jsonb), p.images, p.links, p.documents, p.bytes, p.response_time_ms, p.error, p.fetched_at
      FROM held CROSS JOIN jsonb_to_recordset(${jsonb(args.pages)}) AS p(
        url text, status int, title text, depth int, products jsonb, images int, links int, documents int,
        bytes int, response_time_ms int, error text, fetched_at timestamptz)
      ON CONFLICT (job_id, url) DO UPDATE SET
        status = EXCLUDED.status, title = EXCLUDED.title, depth = EXCLUDED.depth, products = EXCLUDED.products,
        images = EXCLUDED.images, links = EXCLUDED.links, documents = EXCLUDED.documents, bytes = EXCLUDED.bytes,
        response_time_ms = EXCLUDED.response_time_ms, error = EXCLUDED.error, fetched_at = EXCLUDED.fetched_at
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM stored) AS stored, EXISTS (SELECT 1 FROM held) AS held`);
  const row = rows[0]!;
  return row.held ? row.stored : null;
}

export async function listPageResults(
  db: Pick<Database, 'queryRows'>,
  args: { jobId: string; limit: number; offset: number },
): Promise<{ pages: PageResultRecord[]; total: number }> {
  const [rows, counted] = await Promise.all([
    db.queryRows<PageRow>(sql`
      SELECT url, status, title, depth, products, images, links, documents, bytes, response_time_ms, error, fetched_at
      FROM page_results WHERE job_id = ${args.jobId}::uuid ORDER BY id LIMIT ${args.limit}::int OFFSET ${args.offset}::int`),
    db.queryRows<{ total: number }>(sql`SELECT count(*)::int AS total FROM page_results WHERE job_id = ${args.jobId}::uuid`),
  ]);
  return { pages: rows.map(toRecord), total: counted[0]?.total ?? 0 };
}
