/**
 * What the change feed announces, on PGlite and PostgreSQL: creations and moves into pending
 * or cancelled always; every other update only while some subscriber watches (a lease in
 * job_feed_watchers) or an active webhook endpoint exists. Notifications arrive in commit
 * order, so a later always-announced creation (a marker) proves an earlier change was not
 * announced, without waiting on a timer.
 */
import { insertWebhookEndpoint, SYSTEM_ACTOR } from '@scrape-jobs/db';
import { createTestDatabase, skipPostgres, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, type JobChange, type UpdateJobFields } from '@scrape-jobs/domain';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createScrapeJobManager, type ScrapeJobManager } from '../src/index.ts';

const opened: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.destroy()));
});

const run = randomBytes(3).toString('hex');
let counter = 0;

describe.each(['pglite', 'postgres'] as const satisfies readonly DatabaseKind[])('the change feed on %s', (kind) => {
  test.skipIf(skipPostgres(kind))('claims and completions are announced only while watched or while a webhook endpoint is active', async () => {
    const database = await createTestDatabase(kind);
    opened.push(database);
    const manager = createScrapeJobManager({ db: database.db });
    const heard: JobChange[] = [];
    const offQuiet = manager.onJobChange((change) => heard.push(change), { watch: false });
    const moves = (id: string) => heard.filter((c) => c.job_id === id).map((c) => `${c.old_status}→${c.new_status}`);
    const create = (jobType = 'domain_scrape') =>
      manager.createJob(createJobInputSchema.parse({ domain: `feed${run}-${++counter}.example.com`, job_type: jobType }));
    /** A creation is always announced and arrives after everything committed before it (of another type: never claimed here). */
    const settle = async () => {
      const marker = await create('single_page');
      await vi.waitFor(() => expect(moves(marker.id)).toEqual(['null→pending']), { timeout: 5000 });
    };
    const leases = async () =>
      (await database.db.prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM job_feed_watchers WHERE expires_at > now()`)[0]!.n;
    const claimAndComplete = async (m: ScrapeJobManager) => {
      const job = (await m.claimNextJob({ workerId: 'feed', jobTypes: ['domain_scrape'] }))!;
      await m.updateJob(job.id, { status: 'completed', claim_token: job.claim_token } as UpdateJobFields);
      return job;
    };

    // No one watching: the claim and the completion are not announced; a cancel is.
    const unwatched = await create();
    const done = await claimAndComplete(manager);
    expect(done.id).toBe(unwatched.id);
    const cancelled = await create();
    await manager.cancelJob(cancelled.id, 'not needed');
    await settle();
    expect(moves(unwatched.id)).toEqual(['null→pending']);
    expect(moves(cancelled.id)).toEqual(['null→pending', 'pending→cancelled']);
    await expect(leases()).resolves.toBe(0);

    // Two watchers share this process's lease; while it lasts every update is announced.
    const seenByWatcher: JobChange[] = [];
    const offWatcher = manager.onJobChange((change) => seenByWatcher.push(change));
    const offSecond = manager.onJobChange(() => {});
    await vi.waitFor(() => expect(leases()).resolves.toBe(1), { timeout: 5000 });
    const watched = await create();
    await claimAndComplete(manager);
    await settle();
    expect(moves(watched.id)).toEqual(['null→pending', 'pending→running', 'running→completed']);
    expect(seenByWatcher.filter((c) => c.job_id === watched.id)).toHaveLength(3);
    offSecond();
    await settle();
    await expect(leases()).resolves.toBe(1);

    // The last watcher gone, the lease goes with it.
    offWatcher();
    await vi.waitFor(() => expect(leases()).resolves.toBe(0), { timeout: 5000 });
    const afterWatch = await create();
    await claimAndComplete(manager);
    await settle();
    expect(moves(afterWatch.id)).toEqual(['null→pending']);

    // A lease left by a process that died, expired: nothing more is announced.
    await database.db.prisma.$executeRaw`INSERT INTO job_feed_watchers (watcher_id, expires_at) VALUES (gen_random_uuid(), now() - interval '1 second')`;
    const afterCrash = await create();
    await claimAndComplete(manager);
    await settle();
    expect(moves(afterCrash.id)).toEqual(['null→pending']);
    // The same lease still live (within its 30 s): announced.
    await database.db.prisma.$executeRaw`UPDATE job_feed_watchers SET expires_at = now() + interval '30 seconds'`;
    const liveLease = await create();
    await claimAndComplete(manager);
    await settle();
    expect(moves(liveLease.id)).toEqual(['null→pending', 'pending→running', 'running→completed']);
    await database.db.prisma.$executeRaw`DELETE FROM job_feed_watchers`;

    // An active webhook endpoint: the dispatcher is woken by every update.
    await insertWebhookEndpoint(
      database.db.prisma,
      { url: 'https://hooks.example.com/feed', description: '', events: ['job_status_changed'], active: true, tenant_id: null, secret: 'whsec_feed', progress_interval_ms: 1000 },
      SYSTEM_ACTOR,
    );
    const withEndpoint = await create();
    await claimAndComplete(manager);
    await settle();
    expect(moves(withEndpoint.id)).toEqual(['null→pending', 'pending→running', 'running→completed']);
    offQuiet();
  });
});
