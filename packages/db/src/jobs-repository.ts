import {
  DomainError,
  type CreateJob,
  type JobHistoryEntry,
  type JobStatus,
  type JobType,
  type ListJobs,
  type ScrapeJob,
} from '@scrape-jobs/domain';
import { isUniqueViolation } from './db-errors.ts';
import { toHistoryEntry, toScrapeJob, type HistoryRow, type JobRow } from './job-row.ts';
import type { Database, Prisma } from './open-database.ts';
import {
  auditSteps,
  CREATION_STEP,
  empty,
  imageAfter,
  join,
  jsonb,
  oldToNew,
  raw,
  rowImage,
  setClause,
  sql,
  ts,
  tsOrNull,
  withHistory,
  type Assignments,
  type AuditActor,
  type HistoryInsert,
  type Sql,
} from './sql.ts';


/** A new job and its `created` history row, on the driver (Database.queryRows): every enqueue goes through here. */
export async function insertJob(db: Pick<Database, 'queryRows' | 'prisma'>, job: CreateJob, by: AuditActor, now: Date): Promise<ScrapeJob> {
  const insert = sql`
    INSERT INTO scrape_jobs AS j (domain, job_type, priority, max_retries, config, metadata, customer_config_id, domain_id, available_at, created_at, updated_at)
    VALUES (${job.domain}, ${job.job_type}::job_type, ${job.priority}, ${job.max_retries}, ${jsonb(job.config)}, ${jsonb(job.metadata)},
            ${job.customer_config_id ?? null}::uuid, ${job.domain_id ?? null}::uuid, ${ts(now)}, ${ts(now)}, ${ts(now)})
    RETURNING j.*, ${CREATION_STEP}`;
  try {
    const [row] = await db.queryRows<JobRow>(withHistory(insert, [{ action: 'created', by, reason: 'Created' }], now));
    return toScrapeJob(row!);
  } catch (error) {
    throw await asDuplicateActiveJob(db.prisma, error, job);
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

/** One job by id: the API's commonest read, so it goes straight to the driver (Database.queryRows). */
export async function findJob(db: Pick<Database, 'queryRows'>, id: string): Promise<ScrapeJob | null> {
  const rows = await db.queryRows<JobRow>(sql`SELECT * FROM scrape_jobs WHERE id = ${id}::uuid`);
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

/** The row with its claim token, for the service's fencing decisions. Never sent out. */
export async function findJobRow(prisma: Prisma, id: string): Promise<JobRow | null> {
  const rows = await prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

/** Rows by id, for explaining a batch write's refusals. Never sent out. */
export async function findJobRows(prisma: Prisma, ids: string[]): Promise<JobRow[]> {
  return prisma.$queryRaw<JobRow[]>`SELECT * FROM scrape_jobs WHERE id = ANY(${ids}::uuid[])`;
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
  const [rows, total] = await Promise.all([
    prisma.$queryRaw<JobRow[]>`
      SELECT * FROM scrape_jobs ${where}
      ORDER BY ${ORDER_COLUMNS[filter.order_by]} ${direction}, id ${direction}
      LIMIT ${filter.limit} OFFSET ${filter.offset}`,
    filter.domain ? countJobs(prisma, where) : countJobsFromRollup(prisma, filter, tenantId),
  ]);
  return { jobs: rows.map(toScrapeJob), total };
}

async function countJobs(prisma: Prisma, where: Sql): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM scrape_jobs ${where}`;
  return row?.total ?? 0;
}

/** job_stats_totals' count of each job type (its _live view: the rollup plus what is not folded yet). */
const TYPE_COUNT_COLUMNS: Record<JobType, Sql> = {
  domain_scrape: raw('type_domain_scrape'),
  single_page: raw('type_single_page'),
  sitemap_crawl: raw('type_sitemap_crawl'),
  product_catalog: raw('type_product_catalog'),
  content_update: raw('type_content_update'),
};

/**
 * The same count from the stats rollup, kept per tenant, status and job type by the same
 * transactions that write the jobs: a few rows to add up however large the table (a
 * count(*) over a million jobs took 130 ms). A domain is not in it; that count uses its index.
 */
async function countJobsFromRollup(prisma: Prisma, filter: ListJobs, tenantId: string | null | undefined): Promise<number> {
  const conditions: Sql[] = [];
  if (tenantId) conditions.push(sql`customer_config_id = ${tenantId}::uuid`);
  if (filter.customer_config_id) conditions.push(sql`customer_config_id = ${filter.customer_config_id}::uuid`);
  if (filter.status && filter.status.length > 0) conditions.push(sql`status = ANY(${filter.status}::job_status[])`);
  const where = conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
  const counted = filter.job_type ? TYPE_COUNT_COLUMNS[filter.job_type] : raw('jobs');
  const [row] = await prisma.$queryRaw<Array<{ total: number }>>`SELECT COALESCE(sum(${counted}), 0)::int AS total FROM job_stats_totals_live ${where}`;
  return row?.total ?? 0;
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
  /** Applies only to this tenant's job (a tenant's key). */
  tenantId?: string | null | undefined;
  changes: JobChanges;
  /**
   * Instead of failing, go straight back to pending, claimable at `at`, with `metadata`
   * (why, the last error) merged in: the system's automatic retry.
   */
  autoRetry?: { at: Date; metadata: Record<string, unknown> } | undefined;
  /** New claim expiry when the job is (still) running after the update. */
  claimExpiresAt: Date;
  /** The history of the write: one row, or two for an automatic retry (the update, then the retry). */
  history: HistoryInsert[];
  now: Date;
}

/**
 * What an update from `from` to `to` writes. Side effects of a status change:
 * - to running: a claim expiry (the sweep needs one), `started_at` now unless given;
 * - to a finished status: `completed_at` now unless given, the claim dropped;
 * - to pending: `completed_at`/`started_at` cleared and the claim with them, claimable now.
 * Metadata and stats are merged key by key, so concurrent writers keep each other's keys.
 */
function updateAssignments(from: JobStatus, to: JobStatus, changes: JobChanges, claimExpiresAt: Date, now: Date): Assignments {
  const set: Assignments = new Map([['updated_at', ts(now)]]);
  if (changes.error_message !== undefined) set.set('error_message', sql`${changes.error_message}::text`);
  if (changes.metadata) set.set('metadata', sql`jsonb_merge_deep(old.metadata, ${jsonb(changes.metadata)})`);
  if (changes.stats) set.set('stats', sql`jsonb_merge_deep(old.stats, ${jsonb(changes.stats)})`);
  if (changes.started_at !== undefined && to !== 'pending') set.set('started_at', tsOrNull(changes.started_at));

  if (to === 'running') {
    // Every update to a running job extends its claim.
    set.set('claim_expires_at', ts(claimExpiresAt));
    if (from !== 'running' && changes.started_at === undefined) set.set('started_at', ts(now));
  } else if (to === 'pending' && from !== 'pending') {
    for (const column of ['completed_at', 'started_at', 'claim_expires_at', 'claimed_at']) set.set(column, sql`NULL::timestamptz`);
    set.set('claim_token', sql`NULL::uuid`).set('worker_id', sql`NULL::text`).set('available_at', ts(now));
  } else if (to !== 'pending') {
    const completedAt = changes.completed_at ?? (from === to ? null : now);
    if (completedAt) set.set('completed_at', ts(completedAt));
    // The claim ends with the run; worker_id stays, naming the worker that ran it.
    if (from === 'running') set.set('claim_token', sql`NULL::uuid`).set('claim_expires_at', sql`NULL::timestamptz`);
  }
  if (to !== from) set.set('status', sql`${to}::job_status`);
  if (changes.retry_count !== undefined) set.set('retry_count', sql`${changes.retry_count}::int`);
  return set;
}

/** The system's automatic retry on top of a failing write: back to pending, one retry more. */
function autoRetryAssignments(failing: Assignments, retry: { at: Date; metadata: Record<string, unknown> }): Assignments {
  const set: Assignments = new Map(failing);
  set.set('status', sql`'pending'::job_status`).set('retry_count', sql`old.retry_count + 1`).set('error_message', sql`NULL::text`);
  for (const column of ['completed_at', 'started_at', 'claim_expires_at', 'claimed_at']) set.set(column, sql`NULL::timestamptz`);
  set.set('claim_token', sql`NULL::uuid`).set('worker_id', sql`NULL::text`).set('available_at', ts(retry.at));
  set.set('metadata', sql`jsonb_merge_deep(${failing.get('metadata') ?? sql`old.metadata`}, ${jsonb(retry.metadata)})`);
  return set;
}

/**
 * The PUT: one guarded UPDATE. Returns null when the guard failed (the status moved, or the
 * claim is gone) and nothing was written. An automatic retry is the failing update and the
 * retry in one write; its history has both steps (running → failed by the worker, failed →
 * pending by the system), each with its own old → new values. On the driver
 * (Database.queryRows): every worker's completion goes through here.
 */
export async function updateJobGuarded(db: Pick<Database, 'queryRows'>, update: GuardedUpdate): Promise<ScrapeJob | null> {
  const { changes, now } = update;
  const from = update.expectedStatus;
  const retry = update.autoRetry;
  const failing = updateAssignments(from, retry ? 'failed' : (changes.status ?? from), changes, update.claimExpiresAt, now);
  const set = retry ? autoRetryAssignments(failing, retry) : failing;
  // Every image covers all the columns of the whole write (the retry's are a superset).
  const images = retry ? [rowImage('old', set), imageAfter(failing, set), rowImage('j', set)] : [rowImage('old', set), rowImage('j', set)];

  const fence = update.claimToken
    ? sql`AND claim_token = ${update.claimToken}::uuid AND claim_expires_at > ${ts(now)}`
    : empty;
  const tenant = update.tenantId ? sql`AND customer_config_id = ${update.tenantId}::uuid` : empty;
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT * FROM scrape_jobs WHERE id = ${update.id}::uuid AND status = ${from}::job_status ${fence} ${tenant} FOR UPDATE) old
    WHERE j.id = old.id
    RETURNING j.*, old.worker_id AS claim_holder, ${auditSteps(...images)}`;
  const rows = await db.queryRows<JobRow>(withHistory(change, update.history, now));
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

/** Cancels a pending, running or failed job. Null when the job is final or absent. */
export async function cancelJobGuarded(
  prisma: Prisma,
  args: { id: string; errorMessage: string; by: AuditActor; reason: string; now: Date },
): Promise<{ job: ScrapeJob; from: JobStatus } | null> {
  const { now } = args;
  const set: Assignments = new Map([
    ['status', sql`'cancelled'::job_status`],
    ['error_message', sql`${args.errorMessage}::text`],
    ['completed_at', ts(now)],
    ['claim_token', sql`NULL::uuid`],
    ['claim_expires_at', sql`NULL::timestamptz`],
    ['updated_at', ts(now)],
  ]);
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT * FROM scrape_jobs WHERE id = ${args.id}::uuid AND status IN ('pending', 'running', 'failed') FOR UPDATE) old
    WHERE j.id = old.id
    RETURNING j.*, old.status AS previous_status, ${oldToNew(set)}`;
  const rows = await prisma.$queryRaw<Array<JobRow & { previous_status: JobStatus }>>(
    withHistory(change, [{ action: 'cancelled', by: args.by, reason: args.reason }], now),
  );
  const row = rows[0];
  return row ? { job: toScrapeJob(row), from: row.previous_status } : null;
}

/** Manual retry: a failed job with retries left goes back to pending, claimable at once. */
export async function retryJobGuarded(
  prisma: Prisma,
  args: { id: string; by: AuditActor; retriedBy: string; reason: string; now: Date },
): Promise<ScrapeJob | null> {
  const { now } = args;
  const set: Assignments = new Map([
    ['status', sql`'pending'::job_status`],
    ['retry_count', sql`old.retry_count + 1`],
    ['error_message', sql`NULL::text`],
    ['completed_at', sql`NULL::timestamptz`],
    ['started_at', sql`NULL::timestamptz`],
    ['claimed_at', sql`NULL::timestamptz`],
    ['worker_id', sql`NULL::text`],
    ['available_at', ts(now)],
    ['updated_at', ts(now)],
    [
      'metadata',
      sql`old.metadata || jsonb_build_object('retryReason', ${args.reason}::text, 'lastError', old.error_message,
        'retriedAt', ${now.toISOString()}::text, 'retriedBy', ${args.retriedBy}::text)`,
    ],
  ]);
  const change = sql`
    UPDATE scrape_jobs j SET ${setClause(set)}
    FROM (SELECT * FROM scrape_jobs WHERE id = ${args.id}::uuid AND status = 'failed' AND retry_count < max_retries FOR UPDATE) old
    WHERE j.id = old.id
    RETURNING j.*, ${oldToNew(set)}`;
  const rows = await prisma.$queryRaw<JobRow[]>(withHistory(change, [{ action: 'retried', by: args.by, reason: args.reason }], now));
  return rows[0] ? toScrapeJob(rows[0]) : null;
}

export async function listJobHistory(prisma: Prisma, jobId: string): Promise<JobHistoryEntry[]> {
  const rows = await prisma.$queryRaw<HistoryRow[]>`SELECT * FROM job_history WHERE job_id = ${jobId}::uuid ORDER BY id`;
  return rows.map(toHistoryEntry);
}
