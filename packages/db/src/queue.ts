import type { ClaimedJob, JobType, ScrapeJob } from '@scrape-jobs/domain';
import { randomUUID } from 'node:crypto';
import { toClaimedJob, toScrapeJob, type JobRow } from './job-row.ts';
import type { Prisma } from './open-database.ts';
import { auditSteps, empty, jsonb, sql, SYSTEM_ACTOR, ts, withHistory, type AuditActor } from './sql.ts';

const OLD_TO_NEW = auditSteps(sql`to_jsonb(old)`, sql`to_jsonb(j)`);

/** `tenantId` set: only that tenant's jobs (a tenant's worker key). */
const claimable = (now: Date, jobTypes?: JobType[], tenantId?: string | null) => sql`
  status = 'pending' AND available_at <= ${ts(now)}
  ${jobTypes && jobTypes.length > 0 ? sql`AND job_type = ANY(${jobTypes}::job_type[])` : empty}
  ${tenantId ? sql`AND customer_config_id = ${tenantId}::uuid` : empty}`;

// The contract's order; the partial index scrape_jobs_claim_order_idx has the same columns.
const CLAIM_ORDER = sql`ORDER BY priority DESC, retry_count ASC, created_at ASC`;

/** The job a claim would take now, unchanged. */
export async function peekNextJob(prisma: Prisma, now: Date, jobTypes?: JobType[], tenantId?: string | null): Promise<ScrapeJob | null> {
  const rows = await prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs WHERE ${claimable(now, jobTypes, tenantId)} ${CLAIM_ORDER} LIMIT 1`;
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

/**
 * Claims the next job in one statement. SKIP LOCKED lets concurrent claimers pass over a
 * row another claimer is taking, so no two get the same job and none waits for another.
 */
export async function claimNextJob(
  prisma: Prisma,
  args: { workerId: string; by: AuditActor; claimTimeoutMs: number; now: Date; jobTypes?: JobType[] | undefined; tenantId?: string | null | undefined },
): Promise<ClaimedJob | null> {
  const { now, workerId } = args;
  const expiresAt = new Date(now.getTime() + args.claimTimeoutMs);
  const change = sql`
    UPDATE scrape_jobs j SET status = 'running', worker_id = ${workerId}, claimed_at = ${ts(now)}, started_at = ${ts(now)},
      claim_token = ${randomUUID()}::uuid, claim_expires_at = ${ts(expiresAt)}, updated_at = ${ts(now)},
      metadata = j.metadata || ${jsonb({ claimedBy: workerId })}
    FROM (SELECT * FROM scrape_jobs WHERE ${claimable(now, args.jobTypes, args.tenantId)} ${CLAIM_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED) old
    WHERE j.id = old.id
    RETURNING j.*, ${OLD_TO_NEW}`;
  const rows = await prisma.$queryRaw<JobRow[]>(withHistory(change, [{ action: 'claimed', by: args.by, reason: 'Claimed' }], now));
  return rows[0] ? toClaimedJob(rows[0]) : null;
}

/**
 * Extends a held claim and merges progress stats. Null when the claim is not held any more
 * (expired, re-claimed, or the job was cancelled or finished).
 */
export async function heartbeat(
  prisma: Prisma,
  args: { id: string; claimToken: string; stats?: Record<string, unknown> | undefined; claimTimeoutMs: number; now: Date },
): Promise<ScrapeJob | null> {
  const { now } = args;
  const rows = await prisma.$queryRaw<JobRow[]>`
    UPDATE scrape_jobs SET claim_expires_at = ${ts(new Date(now.getTime() + args.claimTimeoutMs))}, updated_at = ${ts(now)}
      ${args.stats ? sql`, stats = jsonb_merge_deep(stats, ${jsonb(args.stats)})` : empty}
    WHERE id = ${args.id}::uuid AND status = 'running' AND claim_token = ${args.claimToken}::uuid AND claim_expires_at > ${ts(now)}
    RETURNING *`;
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
export async function releaseExpiredClaims(prisma: Prisma, now: Date): Promise<ReleasedClaim[]> {
  const change = sql`
    UPDATE scrape_jobs j SET status = 'pending', worker_id = NULL, claim_token = NULL, claim_expires_at = NULL,
      claimed_at = NULL, started_at = NULL, available_at = ${ts(now)}, updated_at = ${ts(now)}
    FROM (SELECT * FROM scrape_jobs WHERE status = 'running' AND claim_expires_at <= ${ts(now)} FOR UPDATE SKIP LOCKED) old
    WHERE j.id = old.id
    RETURNING j.*, old.worker_id AS released_worker, old.claim_expires_at AS expired_at, ${OLD_TO_NEW}`;
  const reason = sql`'Claim expired: ' || COALESCE('worker ' || c.released_worker, 'the job') || ' sent no update before '
    || to_char(c.expired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const rows = await prisma.$queryRaw<Array<JobRow & { released_worker: string | null; expired_at: Date }>>(
    withHistory(change, [{ action: 'claim_expired', by: SYSTEM_ACTOR, reason }], now),
  );
  return rows.map((row) => ({ job: toScrapeJob(row), workerId: row.released_worker, expiredAt: new Date(row.expired_at).toISOString() }));
}

/**
 * The claim holder gives the job back (a worker shutting down): running → pending, claimable
 * at once, recorded as a release. Null when the claim is not held any more.
 */
export async function releaseClaim(
  prisma: Prisma,
  args: { id: string; claimToken: string; by: AuditActor; reason: string; now: Date },
): Promise<ScrapeJob | null> {
  const { now } = args;
  const change = sql`
    UPDATE scrape_jobs j SET status = 'pending', worker_id = NULL, claim_token = NULL, claim_expires_at = NULL,
      claimed_at = NULL, started_at = NULL, available_at = ${ts(now)}, updated_at = ${ts(now)}
    FROM (SELECT * FROM scrape_jobs
          WHERE id = ${args.id}::uuid AND status = 'running' AND claim_token = ${args.claimToken}::uuid AND claim_expires_at > ${ts(now)}
          FOR UPDATE) old
    WHERE j.id = old.id
    RETURNING j.*, ${OLD_TO_NEW}`;
  const rows = await prisma.$queryRaw<JobRow[]>(withHistory(change, [{ action: 'released', by: args.by, reason: args.reason }], now));
  return rows[0] ? toScrapeJob(rows[0]) : null;
}
