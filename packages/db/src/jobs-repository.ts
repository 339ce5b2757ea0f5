import {
  DomainError,
  type CreateJob,
  type JobHistoryEntry,
  type JobStatus,
  type ListJobs,
  type ScrapeJob,
} from '@scrape-jobs/domain';
import { isUniqueViolation } from './db-errors.ts';
import { toHistoryEntry, toScrapeJob, type HistoryRow, type JobRow } from './job-row.ts';
import type { Prisma } from './open-database.ts';
import { empty, join, jsonb, sql, ts, tsOrNull, withHistory, type HistoryInsert, type Sql } from './sql.ts';

/** Who made a change, as the history records it: `api`, `worker:<id>`, `system`, … */
export type Actor = string;

export async function insertJob(prisma: Prisma, job: CreateJob, actor: Actor, now: Date): Promise<ScrapeJob> {
  const insert = sql`
    INSERT INTO scrape_jobs (domain, job_type, priority, max_retries, config, metadata, customer_config_id, domain_id, available_at, created_at, updated_at)
    VALUES (${job.domain}, ${job.job_type}::job_type, ${job.priority}, ${job.max_retries}, ${jsonb(job.config)}, ${jsonb(job.metadata)},
            ${job.customer_config_id ?? null}::uuid, ${job.domain_id ?? null}::uuid, ${ts(now)}, ${ts(now)}, ${ts(now)})
    RETURNING *`;
  try {
    const [row] = await prisma.$queryRaw<JobRow[]>(withHistory(insert, [{ from_status: null, to_status: 'pending', actor, reason: 'Created' }], now));
    return toScrapeJob(row!);
  } catch (error) {
    throw await asDuplicateActiveJob(prisma, error, job);
  }
}

/**
 * A write that would give the domain a second active job (a create, or a failed job sent
 * back to pending while a newer one waits) breaks the partial unique index; this turns that
 * into the contract's 409 naming the job that holds the slot. Other errors pass through.
 */
export async function asDuplicateActiveJob(
  prisma: Prisma,
  error: unknown,
  job: Pick<CreateJob, 'domain' | 'job_type' | 'customer_config_id'>,
): Promise<unknown> {
  if (!isUniqueViolation(error)) return error;
  const existing = await findActiveJob(prisma, job);
  const status = existing?.status ?? 'pending';
  return new DomainError('DUPLICATE_ACTIVE_JOB', `A ${status} job already exists for domain: ${job.domain}`, {
    existingJobId: existing?.id ?? null,
    status,
    job_type: job.job_type,
  });
}

async function findActiveJob(prisma: Prisma, job: Pick<CreateJob, 'domain' | 'job_type' | 'customer_config_id'>): Promise<JobRow | undefined> {
  const rows = await prisma.$queryRaw<JobRow[]>`
    SELECT * FROM scrape_jobs
    WHERE domain = ${job.domain} AND job_type = ${job.job_type}::job_type AND status IN ('pending', 'running')
      AND customer_config_id IS NOT DISTINCT FROM ${job.customer_config_id ?? null}::uuid
    LIMIT 1`;
  return rows[0];
}

export async function findJob(prisma: Prisma, id: string): Promise<ScrapeJob | null> {
  const rows = await prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs WHERE id = ${id}::uuid`;
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

/** The row with its claim token, for the service's fencing decisions. Never sent out. */
export async function findJobRow(prisma: Prisma, id: string): Promise<JobRow | null> {
  const rows = await prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

const ORDER_COLUMNS: Record<ListJobs['order_by'], Sql> = {
  created_at: sql`created_at`,
  updated_at: sql`updated_at`,
  status: sql`status`,
  priority: sql`priority`,
};

/** `tenantId` set: only that tenant's jobs, whatever the filter asks for. */
export async function listJobs(prisma: Prisma, filter: ListJobs, tenantId?: string | null): Promise<{ jobs: ScrapeJob[]; total: number }> {
  const conditions: Sql[] = [];
  if (tenantId) conditions.push(sql`customer_config_id = ${tenantId}::uuid`);
  if (filter.domain) conditions.push(sql`domain = ${filter.domain}`);
  if (filter.status && filter.status.length > 0) conditions.push(sql`status = ANY(${filter.status}::job_status[])`);
  if (filter.job_type) conditions.push(sql`job_type = ${filter.job_type}::job_type`);
  if (filter.customer_config_id) conditions.push(sql`customer_config_id = ${filter.customer_config_id}::uuid`);
  const where = conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
  const direction = filter.order_direction === 'asc' ? sql`ASC` : sql`DESC`;
  // id breaks ties so that pages never repeat or skip a job.
  const [rows, counted] = await Promise.all([
    prisma.$queryRaw<JobRow[]>`
      SELECT * FROM scrape_jobs ${where}
      ORDER BY ${ORDER_COLUMNS[filter.order_by]} ${direction}, id ${direction}
      LIMIT ${filter.limit} OFFSET ${filter.offset}`,
    prisma.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM scrape_jobs ${where}`,
  ]);
  return { jobs: rows.map(toScrapeJob), total: counted[0]?.total ?? 0 };
}

/** What an update asks for, in the user's field names, already validated. */
export interface JobChanges {
  status?: JobStatus | undefined;
  error_message?: string | null | undefined;
  retry_count?: number | undefined;
  started_at?: Date | null | undefined;
  completed_at?: Date | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  stats?: Record<string, unknown> | undefined;
}

export interface GuardedUpdate {
  id: string;
  /** The status the caller read; the update applies only if the job still has it. */
  expectedStatus: JobStatus;
  /** A worker write: applies only while this claim is held and unexpired. */
  claimToken?: string | undefined;
  changes: JobChanges;
  /** Instead of failing, go straight back to pending, claimable at this time (an automatic retry). */
  autoRetryAt?: Date | undefined;
  /** New claim expiry when the job is (still) running after the update. */
  claimExpiresAt: Date;
  history: HistoryInsert[];
  now: Date;
}

/**
 * The PUT: one guarded UPDATE. Returns null when the guard failed (the status moved, or the
 * claim is gone) and nothing was written. Side effects of a status change:
 * - to running: a claim expiry (the sweep needs one), `started_at` now unless given;
 * - to a finished status: `completed_at` now unless given, the claim dropped;
 * - to pending: `completed_at`/`started_at` cleared, claimable now (or at `autoRetryAt`).
 * Metadata and stats are merged key by key inside the UPDATE, so concurrent writers keep
 * each other's keys.
 */
export async function updateJobGuarded(prisma: Prisma, update: GuardedUpdate): Promise<ScrapeJob | null> {
  const { changes, now } = update;
  const from = update.expectedStatus;
  const to = update.autoRetryAt ? 'pending' : (changes.status ?? from);
  const set: Sql[] = [sql`updated_at = ${ts(now)}`];

  // An automatic retry clears error_message below (the failure goes to metadata.lastError and
  // the history); assigning it here too would be a second assignment to the same column.
  if (changes.error_message !== undefined && !update.autoRetryAt) set.push(sql`error_message = ${changes.error_message}`);
  if (changes.metadata) set.push(sql`metadata = jsonb_merge_deep(metadata, ${jsonb(changes.metadata)})`);
  if (changes.stats) set.push(sql`stats = jsonb_merge_deep(stats, ${jsonb(changes.stats)})`);
  if (changes.started_at !== undefined && to !== 'pending') set.push(sql`started_at = ${tsOrNull(changes.started_at)}`);

  if (to === 'running') {
    // Every update to a running job extends its claim.
    set.push(sql`claim_expires_at = ${ts(update.claimExpiresAt)}`);
    if (from !== 'running' && changes.started_at === undefined) set.push(sql`started_at = ${ts(now)}`);
  } else if (to === 'pending' && from !== 'pending') {
    set.push(sql`completed_at = NULL, started_at = NULL, claim_token = NULL, claim_expires_at = NULL, claimed_at = NULL, worker_id = NULL`);
    set.push(sql`available_at = ${ts(update.autoRetryAt ?? now)}`);
  } else if (to !== 'pending') {
    const completedAt = changes.completed_at ?? (from === to ? null : now);
    if (completedAt) set.push(sql`completed_at = ${ts(completedAt)}`);
    // The claim ends with the run; worker_id stays, naming the worker that ran it.
    if (from === 'running') set.push(sql`claim_token = NULL, claim_expires_at = NULL`);
  }
  if (to !== from) set.push(sql`status = ${to}::job_status`);

  if (update.autoRetryAt) set.push(sql`retry_count = retry_count + 1, error_message = NULL`);
  else if (changes.retry_count !== undefined) set.push(sql`retry_count = ${changes.retry_count}`);

  const fence = update.claimToken
    ? sql`AND claim_token = ${update.claimToken}::uuid AND claim_expires_at > ${ts(now)}`
    : empty;
  const change = sql`
    UPDATE scrape_jobs SET ${join(set, ', ')}
    WHERE id = ${update.id}::uuid AND status = ${from}::job_status ${fence}
    RETURNING *`;
  const rows = await prisma.$queryRaw<JobRow[]>(withHistory(change, update.history, now));
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

/** Cancels a pending, running or failed job. Null when the job is final or absent. */
export async function cancelJobGuarded(
  prisma: Prisma,
  args: { id: string; errorMessage: string; actor: Actor; reason: string; now: Date },
): Promise<{ job: ScrapeJob; from: JobStatus } | null> {
  const { now } = args;
  const change = sql`
    UPDATE scrape_jobs j SET status = 'cancelled', error_message = ${args.errorMessage}, completed_at = ${ts(now)},
      claim_token = NULL, claim_expires_at = NULL, updated_at = ${ts(now)}
    FROM (SELECT id, status FROM scrape_jobs WHERE id = ${args.id}::uuid AND status IN ('pending', 'running', 'failed') FOR UPDATE) old
    WHERE j.id = old.id
    RETURNING j.*, old.status AS previous_status`;
  const rows = await prisma.$queryRaw<Array<JobRow & { previous_status: JobStatus }>>`
    WITH changed AS (${change}),
    history AS (
      INSERT INTO job_history (job_id, from_status, to_status, actor, reason, at)
      SELECT id, previous_status, 'cancelled', ${args.actor}, ${args.reason}, ${ts(now)} FROM changed
    )
    SELECT * FROM changed`;
  const row = rows[0];
  return row ? { job: toScrapeJob(row), from: row.previous_status } : null;
}

/** Manual retry: a failed job with retries left goes back to pending, claimable at once. */
export async function retryJobGuarded(
  prisma: Prisma,
  args: { id: string; actor: Actor; retriedBy: string; reason: string; now: Date },
): Promise<ScrapeJob | null> {
  const { now } = args;
  const change = sql`
    UPDATE scrape_jobs SET status = 'pending', retry_count = retry_count + 1, error_message = NULL,
      completed_at = NULL, started_at = NULL, claimed_at = NULL, worker_id = NULL,
      available_at = ${ts(now)}, updated_at = ${ts(now)},
      metadata = metadata || jsonb_build_object(
        'retryReason', ${args.reason}::text, 'lastError', error_message,
        'retriedAt', ${now.toISOString()}::text, 'retriedBy', ${args.retriedBy}::text)
    WHERE id = ${args.id}::uuid AND status = 'failed' AND retry_count < max_retries
    RETURNING *`;
  const rows = await prisma.$queryRaw<JobRow[]>(
    withHistory(change, [{ from_status: 'failed', to_status: 'pending', actor: args.actor, reason: args.reason }], now),
  );
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

export async function listJobHistory(prisma: Prisma, jobId: string): Promise<JobHistoryEntry[]> {
  const rows = await prisma.$queryRaw<HistoryRow[]>`SELECT * FROM job_history WHERE job_id = ${jobId}::uuid ORDER BY id`;
  return rows.map(toHistoryEntry);
}
