import { PGlite } from '@electric-sql/pglite';
import { listJobsInputSchema } from '@scrape-jobs/domain';
import { expect, test } from 'vitest';
import { insertJob, listJobs } from '../src/jobs-repository.ts';
import { openDatabase } from '../src/open-database.ts';

// A brand-new PGlite (as on a server's first start, with an empty DATA_DIR) is migrated in
// the same session; the enum array types the migrations create must work at once.
test('a freshly migrated PGlite filters the list by status (job_status[] parameters)', async () => {
  const db = await openDatabase({ pglite: await PGlite.create() });
  try {
    await insertJob(db, { domain: 'example.com', job_type: 'domain_scrape', priority: 5, max_retries: 3, config: {} as never, metadata: {} }, { actor: 'api', keyId: null, requestId: null }, new Date());
    const { total } = await listJobs(db.prisma, listJobsInputSchema.parse({ status: 'pending,running' }));
    expect(total).toBe(1);
  } finally {
    await db.close();
  }
});
