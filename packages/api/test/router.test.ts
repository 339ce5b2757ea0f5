import { test, expect } from 'vitest';
import { createTestDatabase } from '@scrape-jobs/db/testing';
import { createCaller, createContextInner, createScrapeJobManager } from '../src/index.ts';

test('probe', async () => {
  const d = await createTestDatabase('pglite');
  const manager = createScrapeJobManager({ db: d.db });
  const c = createCaller(createContextInner({ manager }));
  const j = await c.scrapeJobs.create({ domain: 'a.com' });
  const claimed = await c.queue.claim({ worker_id: 'w1' });
  console.log(claimed);
  try { console.log(await c.scrapeJobs.update({ id: j.id, status: 'completed' })); } catch (e: any) { console.log('ERR', e.code, e.message, e.cause); }
  const j2 = await c.scrapeJobs.create({ domain: 'b.com' });
  await c.queue.claim({ worker_id: 'w1' });
  try { console.log(await c.scrapeJobs.cancel({ id: j2.id })); } catch (e: any) { console.log('ERR', e.code, e.message, e.cause); }
  try { await c.scrapeJobs.get({ id: 'nope' }); } catch (e: any) { console.log('ERR', e.code, e.message, e.cause?.constructor?.name); }
  try { await c.scrapeJobs.get({ id: '00000000-0000-0000-0000-000000000000' }); } catch (e: any) { console.log('ERR', e.code, e.message, e.cause?.constructor?.name); }
  try { await c.scrapeJobs.create({ domain: 'a.com' }); await c.scrapeJobs.create({ domain: 'a.com' }); } catch (e: any) { console.log('ERR', e.code, e.message, e.cause?.constructor?.name, e.cause?.details); }
  await d.destroy();
});
