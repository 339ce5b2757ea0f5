import type { ClaimedJob, JobType, ScrapeJob } from '@scrape-jobs/domain';
import { toClaimedJob, toScrapeJob, type JobRow } from './job-row.ts';
import type { Database } from './open-database.ts';
import { CLAIM_HOLDER, empty, jsonb, oldToNew, raw, setClause, sql, SYSTEM_ACTOR, ts, withHistory, type Assignments, type AuditActor } from './sql.ts';

/** The queue's statements run on the driver, past Prisma (see Database.queryRows). */
type Driver = Pick<Database, 'queryRows'>;

/** A running job going back to pending: the claim and the run's times cleared, claimable at once. */
const backToPending = (now: Date): Assignments =>
  new Map([
    ['status', sql`'pending'::job_status`],
    ['worker_id', sql`NULL::text`],
    ['claim_token', sql`NULL::uuid`],
    ['claim_expires_at', sql`NULL::timestamptz`],
    ['claimed_at', sql`NULL::timestamptz`],
    ['started_at', sql`NULL::timestamptz`],
    ['available_at', ts(now)],
    ['updated_at', ts(now)],
  ]);

/** `tenantId` set: only that tenant's jobs (a tenant's worker key). */
const claimable = (now: Date, jobTypes?: JobType[], tenantId?: string | null) => sql`
  status = 'pending' AND available_at <= ${ts(now)}
  ${jobTypes && jobTypes.length > 0 ? sql`AND job_type = ANY(${jobTypes}::job_type[])` : empty}
  ${tenantId ? sql`AND customer_config_id = ${tenantId}::uuid` : empty}`;

// The contract's order; the partial index scrape_jobs_claim_order_idx has the same columns.
const CLAIM_ORDER = sql`ORDER BY priority DESC, retry_count ASC, created_at ASC`;

/** The job a claim would take now, unchanged. */
export async function peekNextJob(db: Driver, now: Date, jobTypes?: JobType[], tenantId?: string | null): Promise<ScrapeJob | null> {
  const rows = await db.queryRows<JobRow>(sql`SELECT * FROM scrape_jobs WHERE ${claimable(now, jobTypes, tenantId)} ${CLAIM_ORDER} LIMIT 1`);
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

export interface ClaimArgs {
  workerId: string;
  by: AuditActor;
  claimTimeoutMs: number;
  now: Date;
  jobTypes?: JobType[] | undefined;
  tenantId?: string | null | undefined;
}

/**
 * Claims up to `limit` jobs in one statement, each with its own claim token, in claim order.
 * SKIP LOCKED lets concurrent claimers pass over rows another claimer is taking, so no two
 * get the same job and none waits for another.
 */
export async function claimJobs(db: Driver, args: ClaimArgs & { limit: number }): Promise<ClaimedJob[]> {
  const { now, workerId } = args;
  const expiresAt = new Date(now.getTime() + args.claimTimeoutMs);
  const set: Assignments = new Map([
    ['status', sql`'running'::job_status`],
    ['worker_id', sql`${workerId}::text`],
    ['claimed_at', ts(now)],
    ['started_at', ts(now)],
    ['claim_token', sql`gen_random_uuid()`],
    ['claim_expires_at', ts(expiresAt)],
    ['updated_at', ts(now)],
    ['metadata', sql`old.metadata || ${jsonb({ claimedBy: workerId })}`],
  ]);
  // The limit is written into the text (one prepared statement per limit, 1 to
  // MAX_QUEUE_BATCH): as a parameter, the generic plan guesses a third of the claimable rows
  // and hash-joins them with a scan of the whole table, so PostgreSQL planned each claim
  // anew instead (0.39 of its 0.85 ms in the database, from the server log).
  if (!Number.isSafeInteger(args.limit) || args.limit < 1) throw new RangeError(`claim limit must be a positive integer, not ${args.limit}`);
  const limit = raw(String(args.limit));
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT * FROM scrape_jobs WHERE ${claimable(now, args.jobTypes, args.tenantId)} ${CLAIM_ORDER} LIMIT ${limit} FOR UPDATE SKIP LOCKED) old
    WHERE j.id = old.id
    RETURNING j.*, ${oldToNew(set)}`;
  const rows = await db.queryRows<JobRow>(withHistory(change, [{ action: 'claimed', by: args.by, reason: 'Claimed' }], now));
  return rows.map(toClaimedJob).sort(inClaimOrder);
}

/** The next job, claimed (claimJobs with a limit of one). */
export async function claimNextJob(db: Driver, args: ClaimArgs): Promise<ClaimedJob | null> {
  const [job] = await claimJobs(db, { ...args, limit: 1 });
  return job ?? null;
}

/** CLAIM_ORDER in JavaScript: UPDATE … RETURNING gives rows in no particular order. */
function inClaimOrder(a: ClaimedJob, b: ClaimedJob): number {
  return b.priority - a.priority || a.retry_count - b.retry_count || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}

/** One job of a batch completion: the claim it is held by, and its final stats (merged). */
export interface CompletionUnderClaim {
  id: string;
  claimToken: string;
  stats?: Record<string, unknown> | undefined;
}

/**
 * Completes, in one statement, every given job whose claim is still held (running, token
 * matching, unexpired; of `tenantId` when set), as the single fenced PUT `completed` does:
 * the claim dropped, `completed_at` now, stats merged, one history row each, actor the
 * claim holder. Returns the jobs it completed; the others were left unchanged.
 */
export async function completeJobs(
  db: Driver,
  args: { jobs: CompletionUnderClaim[]; by: Omit<AuditActor, 'actor'>; tenantId?: string | null | undefined; now: Date },
): Promise<ScrapeJob[]> {
  const { now } = args;
  const items = jsonb(args.jobs.map((job) => ({ id: job.id, claim_token: job.claimToken, stats: job.stats ?? null })));
  const set: Assignments = new Map([
    ['status', sql`'completed'::job_status`],
    ['completed_at', ts(now)],
    ['claim_token', sql`NULL::uuid`],
    ['claim_expires_at', sql`NULL::timestamptz`],
    ['updated_at', ts(now)],
    ['stats', sql`CASE WHEN item.stats IS NULL THEN old.stats ELSE jsonb_merge_deep(old.stats, item.stats) END`],
  ]);
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT s.* FROM scrape_jobs s
          JOIN jsonb_to_recordset(${items}) AS item(id uuid, claim_token uuid) ON s.id = item.id AND s.claim_token = item.claim_token
          WHERE s.status = 'running' AND s.claim_expires_at > ${ts(now)}
            ${args.tenantId ? sql`AND s.customer_config_id = ${args.tenantId}::uuid` : empty}
          ORDER BY s.id FOR UPDATE OF s) old,
         jsonb_to_recordset(${items}) AS item(id uuid, stats jsonb)
    WHERE j.id = old.id AND item.id = old.id
    RETURNING j.*, old.worker_id AS claim_holder, ${oldToNew(set)}`;
  const rows = await db.queryRows<JobRow>(
    withHistory(change, [{ action: 'updated', by: { ...args.by, actor: CLAIM_HOLDER }, reason: 'Status updated' }], now),
  );
  return rows.map(toScrapeJob);
}

/**
 * Extends a held claim and merges progress stats. Null when the claim is not held any more
 * (expired, re-claimed, or the job was cancelled or finished).
 */
export async function heartbeat(
  db: Driver,
  args: { id: string; claimToken: string; stats?: Record<string, unknown> | undefined; claimTimeoutMs: number; now: Date },
): Promise<ScrapeJob | null> {
  const { now } = args;
  const rows = await db.queryRows<JobRow>(sql`
    UPDATE scrape_jobs SET claim_expires_at = ${ts(new Date(now.getTime() + args.claimTimeoutMs))}, updated_at = ${ts(now)}
      ${args.stats ? sql`, stats = jsonb_merge_deep(stats, ${jsonb(args.stats)})` : empty}
    WHERE id = ${args.id}::uuid AND status = 'running' AND claim_token = ${args.claimToken}::uuid AND claim_expires_at > ${ts(now)}
    RETURNING *`);
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

/** A job the sweep sent back to pending, with the claim it lost. */
export interface ReleasedClaim {
  job: ScrapeJob;
  workerId: string | null;
  expiredAt: string;
}

/**
 * The claim-timeout sweep: every running job whose claim lapsed goes back to pending, with
 * a history row (actor `system`) naming the worker that stopped updating it.
 */
export async function releaseExpiredClaims(db: Driver, now: Date): Promise<ReleasedClaim[]> {
  const set = backToPending(now);
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT * FROM scrape_jobs WHERE status = 'running' AND claim_expires_at <= ${ts(now)} FOR UPDATE SKIP LOCKED) old
    WHERE j.id = old.id
    RETURNING j.*, old.worker_id AS released_worker, old.claim_expires_at AS expired_at, ${oldToNew(set)}`;
  const reason = sql`'Claim expired: ' || COALESCE('worker ' || c.released_worker, 'the job') || ' sent no update before '
    || to_char(c.expired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const rows = await db.queryRows<JobRow & { released_worker: string | null; expired_at: Date }>(
    withHistory(change, [{ action: 'claim_expired', by: SYSTEM_ACTOR, reason }], now),
  );
  return rows.map((row) => ({ job: toScrapeJob(row), workerId: row.released_worker, expiredAt: new Date(row.expired_at).toISOString() }));
}

/**
 * The claim holder gives the job back (a worker shutting down): running → pending, claimable
 * at once, recorded as a release. Null when the claim is not held any more.
 */
export async function releaseClaim(
  db: Driver,
  args: { id: string; claimToken: string; by: AuditActor; reason: string; now: Date },
): Promise<ScrapeJob | null> {
  const { now } = args;
  const set = backToPending(now);
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT * FROM scrape_jobs
          WHERE id = ${args.id}::uuid AND status = 'running' AND claim_token = ${args.claimToken}::uuid AND claim_expires_at > ${ts(now)}
          FOR UPDATE) old
    WHERE j.id = old.id
    RETURNING j.*, ${oldToNew(set)}`;
  const rows = await db.queryRows<JobRow>(withHistory(change, [{ action: 'released', by: args.by, reason: args.reason }], now));
  return rows[0] ? toScrapeJob(rows[0]) : null;
}
