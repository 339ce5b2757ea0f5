/**
 * Model-based test: fast-check drives the real service (on PGlite, with a controlled clock)
 * with create / claim / heartbeat / complete / fail / cancel / retry / expire in random
 * orders, and after every step compares each job with a simple model of the state machine.
 */
import { createScrapeJobManager, type ScrapeJobManager } from '@scrape-jobs/api';
import { createTestDatabase, type TestDatabase } from '@scrape-jobs/db/testing';
import { createJobInputSchema, DomainError, parseInput, updateJobFieldsSchema, type JobStatus } from '@scrape-jobs/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';

// CI replays one fixed seed, so a landing is judged on what was verified; elsewhere every
// run explores new cases (set FC_SEED to replay a reported one).
const CI_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261203 : undefined;

const CLAIM_TIMEOUT_MS = 60_000;
const RETRY_DELAYS = [60_000, 300_000, 900_000]; // the policy with random() = 0.5 (no jitter)

interface ModelJob {
  id: string;
  domain: string;
  status: JobStatus;
  retryCount: number;
  maxRetries: number;
  retryOnFailure: boolean;
  token: string | null;
  claimExpiresAt: number;
  availableAt: number;
  createdAt: number;
}

interface World {
  jobs: ModelJob[];
}

let database: TestDatabase;
let manager: ScrapeJobManager;
let now = Date.parse('2030-01-01T00:00:00.000Z');
let run = 0;
let steps = 0;

beforeAll(async () => {
  database = await createTestDatabase('pglite');
  manager = createScrapeJobManager({ db: database.db, clock: () => new Date(now), claimTimeoutMs: CLAIM_TIMEOUT_MS, random: () => 0.5 });
});
afterAll(async () => database?.destroy());

const codeOf = async (promise: Promise<unknown>): Promise<string | null> => {
  try {
    await promise;
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
};

const held = (job: ModelJob) => job.status === 'running' && job.claimExpiresAt > now;

async function check(world: World): Promise<void> {
  steps++;
  for (const job of world.jobs) {
    const real = await manager.getJob(job.id);
    expect({ id: job.id, status: real?.status, retry_count: real?.retry_count }).toEqual({ id: job.id, status: job.status, retry_count: job.retryCount });
  }
}

type Real = { manager: ScrapeJobManager };
type Cmd = fc.AsyncCommand<World, Real>;

class Create implements Cmd {
  constructor(readonly domain: number, readonly maxRetries: number, readonly retryOnFailure: boolean) {}
  check = () => true;
  async run(world: World) {
    const domain = `model-${run}-${this.domain}.example`;
    const active = world.jobs.some((j) => j.domain === domain && (j.status === 'pending' || j.status === 'running'));
    const input = parseInput(createJobInputSchema, { domain, max_retries: this.maxRetries, config: { retryOnFailure: this.retryOnFailure } });
    if (active) {
      expect(await codeOf(manager.createJob(input))).toBe('DUPLICATE_ACTIVE_JOB');
    } else {
      const job = await manager.createJob(input);
      world.jobs.push({ id: job.id, domain, status: 'pending', retryCount: 0, maxRetries: this.maxRetries, retryOnFailure: this.retryOnFailure, token: null, claimExpiresAt: 0, availableAt: now, createdAt: now });
    }
    await check(world);
  }
  toString = () => `create(${this.domain}, max ${this.maxRetries}, auto ${this.retryOnFailure})`;
}

class Claim implements Cmd {
  check = () => true;
  async run(world: World) {
    // The contract's order: priority (all equal here), retry_count, created_at. Jobs created
    // in the same millisecond tie, and the database may take any of them.
    const claimable = world.jobs.filter((j) => j.status === 'pending' && j.availableAt <= now);
    const best = (j: ModelJob) => claimable.every((o) => j.retryCount < o.retryCount || (j.retryCount === o.retryCount && j.createdAt <= o.createdAt));
    const candidates = claimable.filter(best).map((j) => j.id);
    const claimed = await manager.claimNextJob({ workerId: 'model' });
    if (candidates.length === 0) expect(claimed).toBeNull();
    else expect(candidates).toContain(claimed?.id);
    const job = world.jobs.find((j) => j.id === claimed?.id);
    if (job && claimed) Object.assign(job, { status: 'running', token: claimed.claim_token, claimExpiresAt: now + CLAIM_TIMEOUT_MS });
    await check(world);
  }
  toString = () => 'claim';
}

/** A worker write with the job's token (or a stale one). */
abstract class WorkerWrite implements Cmd {
  constructor(readonly pick: number, readonly staleToken: boolean) {}
  check = (world: Readonly<World>) => world.jobs.length > 0;
  job = (world: World) => world.jobs[this.pick % world.jobs.length]!;
  token = (job: ModelJob) => (this.staleToken || !job.token ? '00000000-0000-4000-8000-000000000000' : job.token);
  abstract run(world: World): Promise<void>;
}

class Heartbeat extends WorkerWrite {
  async run(world: World) {
    const job = this.job(world);
    const ok = held(job) && !this.staleToken && job.token !== null;
    const code = await codeOf(manager.heartbeat({ id: job.id, claimToken: this.token(job), stats: { pagesProcessed: steps } }));
    expect(code).toBe(ok ? null : 'CLAIM_LOST');
    if (ok) job.claimExpiresAt = now + CLAIM_TIMEOUT_MS;
    await check(world);
  }
  toString = () => `heartbeat(${this.pick}${this.staleToken ? ', stale' : ''})`;
}

class Finish extends WorkerWrite {
  constructor(pick: number, staleToken: boolean, readonly outcome: 'completed' | 'failed', readonly retryable: boolean) {
    super(pick, staleToken);
  }
  async run(world: World) {
    const job = this.job(world);
    const ok = held(job) && !this.staleToken && job.token !== null;
    const fields = parseInput(updateJobFieldsSchema, { status: this.outcome, claim_token: this.token(job), retryable: this.retryable, error_message: this.outcome === 'failed' ? 'boom' : undefined });
    expect(await codeOf(manager.updateJob(job.id, fields))).toBe(ok ? null : 'CLAIM_LOST');
    if (ok) {
      job.token = null;
      if (this.outcome === 'failed' && this.retryable && job.retryOnFailure && job.retryCount < job.maxRetries) {
        job.availableAt = now + RETRY_DELAYS[Math.min(job.retryCount, 2)]!;
        Object.assign(job, { status: 'pending', retryCount: job.retryCount + 1 });
      } else {
        job.status = this.outcome;
      }
    }
    await check(world);
  }
  toString = () => `${this.outcome}(${this.pick}${this.staleToken ? ', stale' : ''}${this.retryable ? ', retryable' : ''})`;
}

class Cancel extends WorkerWrite {
  async run(world: World) {
    const job = this.job(world);
    const ok = job.status === 'pending' || job.status === 'running' || job.status === 'failed';
    expect(await codeOf(manager.cancelJob(job.id, 'model'))).toBe(ok ? null : 'NOT_CANCELLABLE');
    if (ok) Object.assign(job, { status: 'cancelled', token: null });
    await check(world);
  }
  toString = () => `cancel(${this.pick})`;
}

class Retry extends WorkerWrite {
  async run(world: World) {
    const job = this.job(world);
    const code = await codeOf(manager.retryJob(job.id));
    if (job.status !== 'failed') expect(code).toBe('NOT_RETRYABLE');
    else if (job.retryCount >= job.maxRetries) expect(code).toBe('MAX_RETRIES_EXCEEDED');
    else if (world.jobs.some((o) => o !== job && o.domain === job.domain && (o.status === 'pending' || o.status === 'running'))) {
      // a newer job holds the domain's one active slot
      expect(code).toBe('DUPLICATE_ACTIVE_JOB');
    } else {
      expect(code).toBeNull();
      Object.assign(job, { status: 'pending', retryCount: job.retryCount + 1, availableAt: now });
    }
    await check(world);
  }
  toString = () => `retry(${this.pick})`;
}

/** Time passes; the sweep releases every claim that lapsed. */
class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(world: World) {
    now += this.ms;
    const released = await manager.releaseExpiredClaims();
    const lapsed = world.jobs.filter((j) => j.status === 'running' && j.claimExpiresAt <= now);
    expect(released.map((r) => r.job.id).sort()).toEqual(lapsed.map((j) => j.id).sort());
    for (const job of lapsed) Object.assign(job, { status: 'pending', token: null, availableAt: now });
    await check(world);
  }
  toString = () => `advance(${this.ms / 1000}s)`;
}

const pick = fc.nat(20);
const create = fc.tuple(fc.nat(2), fc.nat(2), fc.boolean()).map(([d, m, r]) => new Create(d, m, r));
const commands = [
  create,
  create,
  fc.constant(new Claim()),
  fc.constant(new Claim()),
  fc.tuple(pick, fc.boolean()).map(([p, s]) => new Heartbeat(p, s)),
  fc.tuple(pick, fc.nat(3).map((n) => n === 0), fc.constantFrom('completed' as const, 'failed' as const), fc.boolean()).map(([p, s, o, r]) => new Finish(p, s, o, r)),
  pick.map((p) => new Cancel(p, false)),
  pick.map((p) => new Retry(p, false)),
  fc.constantFrom(1_000, 30_000, 61_000, 301_000).map((ms) => new Advance(ms)),
];

test('random sequences of queue operations agree with the state-machine model', { timeout: 240_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { size: 'large', maxCommands: 60 }), async (cmds) => {
      run++;
      const world: World = { jobs: [] };
      try {
        await fc.asyncModelRun(() => ({ model: world, real: { manager } }), cmds);
      } finally {
        // leave nothing claimable for the next run
        for (const job of world.jobs) if (job.status === 'pending' || job.status === 'running' || job.status === 'failed') await manager.cancelJob(job.id).catch(() => {});
      }
    }),
    { numRuns: 80, seed: CI_SEED },
  );
  console.log(`model: ${run} runs, ${steps} checked steps`);
});
