import { createTestDatabase, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, DomainError, parseInput, updateJobFieldsSchema } from '@scrape-jobs/domain';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createScrapeJobManager, type ScrapeJobManager } from '../src/index.ts';

let database: TestDatabase;
let manager: ScrapeJobManager;
let now = Date.parse('2026-06-01T00:00:00.000Z');
let n = 0;

beforeAll(async () => {
  database = await createTestDatabase('pglite');
  manager = createScrapeJobManager({ db: database.db, clock: () => new Date(now), random: () => 0.5 });
});
afterAll(async () => database?.destroy());

async function claimed(worker = 'w1') {
  await manager.createJob(parseInput(createJobInputSchema, { domain: `writes-${++n}.example` }));
  return (await manager.claimNextJob({ workerId: worker }))!;
}

test('the claim holder hands a job back: pending at once, recorded as a release by that worker', async () => {
  const job = await claimed('leaving');
  now += 1000;
  const released = await manager.releaseClaim({ id: job.id, claimToken: job.claim_token, reason: 'worker shutting down' });
  expect(released).toMatchObject({ status: 'pending', worker_id: null, claim_expires_at: null, available_at: new Date(now).toISOString() });
  const last = (await manager.getJobHistory(job.id)).at(-1);
  expect(last).toMatchObject({ from_status: 'running', to_status: 'pending', actor: 'worker:leaving', reason: 'Released by the worker: worker shutting down' });
  expect((await manager.peekNextJob())?.id).toBe(job.id);
  await manager.cancelJob(job.id);
});

test('a release with a stale token is refused and changes nothing', async () => {
  const job = await claimed();
  const error = await manager.releaseClaim({ id: job.id, claimToken: '00000000-0000-4000-8000-000000000000' }).catch((e) => e);
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ code: 'CLAIM_LOST', details: { reason: 'The job was claimed again by another worker' } });
  expect((await manager.getJob(job.id))?.status).toBe('running');
  await manager.cancelJob(job.id);
});

test('a Retry-After longer than the policy delay pushes the automatic retry back', async () => {
  const job = await claimed();
  const fields = parseInput(updateJobFieldsSchema, { status: 'failed', error_message: 'HTTP 429', claim_token: job.claim_token, retryable: true, retry_after_ms: 120_000 });
  const retried = await manager.updateJob(job.id, fields);
  expect(retried).toMatchObject({ status: 'pending', retry_count: 1, available_at: new Date(now + 120_000).toISOString() });

  const again = await claimed();
  const short = parseInput(updateJobFieldsSchema, { status: 'failed', error_message: 'HTTP 503', claim_token: again.claim_token, retryable: true, retry_after_ms: 5_000 });
  expect((await manager.updateJob(again.id, short)).available_at).toBe(new Date(now + 60_000).toISOString());
});

test('a failed job cannot go back to pending while a newer job holds its domain: 409, nothing changes', async () => {
  const domain = `slot-${++n}.example`;
  await manager.createJob(parseInput(createJobInputSchema, { domain }));
  const old = (await manager.claimNextJob({ workerId: 'w1' }))!;
  await manager.updateJob(old.id, parseInput(updateJobFieldsSchema, { status: 'failed', error_message: 'x', claim_token: old.claim_token }));
  const newer = await manager.createJob(parseInput(createJobInputSchema, { domain }));
  for (const attempt of [() => manager.retryJob(old.id), () => manager.updateJob(old.id, parseInput(updateJobFieldsSchema, { status: 'pending' }))]) {
    const error = await attempt().catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'DUPLICATE_ACTIVE_JOB', message: `A pending job already exists for domain: ${domain}`, details: { existingJobId: newer.id } });
  }
  expect(await manager.getJob(old.id)).toMatchObject({ status: 'failed', retry_count: 0 });
  await manager.cancelJob(newer.id);
});
