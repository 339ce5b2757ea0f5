import {
  assertTransition,
  canTransition,
  DEFAULT_CANCEL_REASON,
  DomainError,
  hasRetriesLeft,
  isActiveStatus,
  retryDelayMs,
  sanitizeErrorMessage,
  type ClaimedJob,
  type CreateJob,
  type DomainErrorCode,
  type JobChange,
  type JobHistoryEntry,
  type JobStatsReport,
  type JobStatus,
  type JobType,
  type ListJobs,
  type PageResultRecord,
  type ScrapeJob,
  type UpdateJobFields,
} from '@scrape-jobs/domain';
import * as repo from '@scrape-jobs/db';
import type { Database, ReleasedClaim } from '@scrape-jobs/db';
import { OPEN_CALLER, type Caller } from './caller.ts';
import { recommendationsFor } from './recommendations.ts';

export const DEFAULT_CLAIM_TIMEOUT_MS = 10 * 60_000;

export interface ScrapeJobManagerOptions {
  db: Database;
  /** Injected so tests control time. */
  clock?: () => Date;
  /** How long a claim lasts without an update from its worker. */
  claimTimeoutMs?: number;
  /** For retry jitter. */
  random?: () => number;
  /** Refuses a job's domain at creation (e.g. a private address); returns the sentence, or null. */
  checkTarget?: (domain: string) => string | null;
}

export interface Pagination {
  offset: number;
  limit: number;
  total: number;
  has_more: boolean;
}

/** What a batch completion did: the jobs it completed, and why each other one was refused. */
export interface BatchCompletion {
  completed: ScrapeJob[];
  refused: Array<{ id: string; error: { code: DomainErrorCode; message: string; details: unknown } }>;
}

/** A guarded write lost a race this many times in a row: give up with a 409. */
const MAX_WRITE_ATTEMPTS = 5;

const NOT_RETRYABLE_REASONS: Record<JobStatus, string> = {
  pending: 'Job is currently in progress',
  running: 'Job is currently in progress',
  completed: 'Job already completed successfully',
  cancelled: 'Job was cancelled',
  failed: 'Job is not in a failed state',
};

/**
 * The scrape-job service: every rule of the contract, for REST, tRPC and tests alike.
 * Inputs are already validated by the domain schemas; each write is one guarded SQL
 * statement, re-read and re-decided when a concurrent writer got there first.
 */
export function createScrapeJobManager(options: ScrapeJobManagerOptions) {
  const { db } = options;
  const prisma = db.prisma;
  const clock = options.clock ?? (() => new Date());
  const claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;
  const random = options.random ?? Math.random;

  async function requireRow(id: string) {
    const row = await repo.findJobRow(prisma, id);
    if (!row) throw new DomainError('NOT_FOUND', 'Job not found', undefined);
    return row;
  }

  /**
   * The row, when the caller may see it: another tenant's job is "not found", exactly like
   * a missing one. A job's tenant never changes, so checking before a write is race-free.
   */
  async function visibleRow(id: string, caller: Caller) {
    const row = await requireRow(id);
    if (!isVisible(row, caller)) throw new DomainError('NOT_FOUND', 'Job not found', undefined);
    return row;
  }

  /** The tenant check before a write that does not read the row first anyway. */
  async function assertVisible(id: string, caller: Caller): Promise<void> {
    if (caller.principal.tenantId) await visibleRow(id, caller);
  }

  /**
   * A worker's write under its claim, in one statement with no read first: a held claim means
   * the job is running and is the caller's tenant's. Null when it did not apply (the claim is
   * gone, another tenant's job) or needs the row to decide (a retryable failure, a move that
   * running does not allow): the read-then-write path then decides and names the error.
   */
  async function writeUnderClaim(
    id: string,
    claimToken: string,
    changes: repo.JobChanges,
    retryable: boolean | undefined,
    caller: Caller,
  ): Promise<ScrapeJob | null> {
    const to = changes.status ?? 'running';
    if ((to === 'failed' && retryable === true) || !canTransition('running', to, 'update')) return null;
    assertCompletedAtFits(to, changes.completed_at);
    const now = clock();
    return repo.updateJobGuarded(db, {
      id,
      expectedStatus: 'running',
      claimToken,
      tenantId: caller.principal.tenantId,
      changes,
      claimExpiresAt: new Date(now.getTime() + claimTimeoutMs),
      history: [{ action: 'updated', by: { ...auditActorOf(caller), actor: repo.CLAIM_HOLDER }, reason: updateReason('running', to, changes.error_message) }],
      now,
    });
  }

  function raceLost(): never {
    throw new DomainError('CONFLICT', 'The job changed while it was being updated; try again');
  }

  return {
    /** The database the service runs on (the access service and the CLI share it). */
    db,
    claimTimeoutMs,

    createJob(input: CreateJob, caller: Caller = OPEN_CALLER): Promise<ScrapeJob> {
      const tenant = caller.principal.tenantId;
      if (tenant) {
        if (input.customer_config_id && input.customer_config_id !== tenant) {
          throw new DomainError('FORBIDDEN', 'Forbidden: a tenant key can only create jobs of its own tenant', { customer_config_id: tenant });
        }
        input = { ...input, customer_config_id: tenant };
      }
      const refusal = options.checkTarget?.(input.domain);
      if (refusal) throw new DomainError('VALIDATION', refusal, [{ path: 'domain', message: refusal }]);
      return repo.insertJob(db, input, auditActorOf(caller), clock());
    },

    /** A tenant's caller sees only its tenant's jobs, whatever the filter says. */
    async getJobs(filter: ListJobs, caller: Caller = OPEN_CALLER): Promise<{ jobs: ScrapeJob[]; pagination: Pagination }> {
      const { jobs, total } = await repo.listJobs(prisma, filter, caller.principal.tenantId);
      return {
        jobs,
        pagination: { offset: filter.offset, limit: filter.limit, total, has_more: filter.offset + jobs.length < total },
      };
    },

    /** The job, or null when there is none (as in the user's TypeScript example). */
    async getJob(id: string, caller: Caller = OPEN_CALLER): Promise<ScrapeJob | null> {
      const job = await repo.findJob(db, id);
      return job && isVisible(job, caller) ? job : null;
    },

    async getJobHistory(id: string, caller: Caller = OPEN_CALLER): Promise<JobHistoryEntry[]> {
      await visibleRow(id, caller);
      return repo.listJobHistory(prisma, id);
    },

    /**
     * PUT. Checks the move against the transition table, fences worker writes by their claim
     * token, and turns a retryable failure into an automatic retry when the job allows one.
     */
    async updateJob(id: string, fields: UpdateJobFields, caller: Caller = OPEN_CALLER): Promise<ScrapeJob> {
      const { claim_token: claimToken, retryable, retry_after_ms: retryAfterMs, ...changes } = fields;
      if (Object.values(changes).every((v) => v === undefined)) {
        throw new DomainError('VALIDATION', 'No updatable fields given', {
          updatable: ['status', 'error_message', 'stats', 'retry_count', 'started_at', 'completed_at', 'metadata'],
        });
      }
      const dates = { started_at: toDate(changes.started_at), completed_at: toDate(changes.completed_at) };
      if (claimToken !== undefined) {
        const written = await writeUnderClaim(id, claimToken, { ...changes, ...dates }, retryable, caller);
        if (written) return written;
      }
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const now = clock();
        const row = await visibleRow(id, caller);
        const from = row.status;
        const to = changes.status ?? from;
        if (claimToken !== undefined) assertClaimHeld(row, claimToken, now);
        assertTransition(from, to, 'update');
        assertCompletedAtFits(to, changes.completed_at);
        const retriesAutomatically =
          from === 'running' && to === 'failed' && retryable === true && (row.config as { retryOnFailure?: boolean }).retryOnFailure !== false && hasRetriesLeft(row);
        const by = claimToken !== undefined && row.worker_id ? auditActorOf(caller, `worker:${row.worker_id}`) : auditActorOf(caller);
        // A write that keeps the status and changes no column records nothing (see withHistory).
        const history: repo.HistoryInsert[] = [{ action: 'updated', by, reason: updateReason(from, to, changes.error_message) }];
        let autoRetry: { at: Date; metadata: Record<string, unknown> } | undefined;
        if (retriesAutomatically) {
          const at = new Date(now.getTime() + Math.max(retryDelayMs(row.retry_count + 1, random), retryAfterMs ?? 0));
          // The system's decision, within the worker's request.
          history.push({ action: 'auto_retried', by: { ...repo.SYSTEM_ACTOR, requestId: caller.requestId }, reason: `Automatic retry ${row.retry_count + 1}/${row.max_retries}, claimable at ${at.toISOString()}` });
          autoRetry = {
            at,
            metadata: { retryReason: 'Automatic retry after a retryable failure', lastError: changes.error_message ?? null, retriedAt: now.toISOString(), retriedBy: 'system' },
          };
        }
        const updated = await repo.updateJobGuarded(db, {
          id,
          expectedStatus: from,
          claimToken,
          changes: { ...changes, ...dates },
          autoRetry,
          claimExpiresAt: new Date(now.getTime() + claimTimeoutMs),
          history,
          now,
        }).catch(async (error: unknown) => {
          throw await repo.asDuplicateActiveJob(prisma, error, row);
        });
        if (updated) return updated;
      }
      return raceLost();
    },

    /** DELETE. Pending, running and failed jobs can be cancelled; final ones answer 409. */
    async cancelJob(id: string, reason?: string, caller: Caller = OPEN_CALLER): Promise<ScrapeJob> {
      const cleanReason = reason === undefined ? '' : sanitizeErrorMessage(reason);
      const errorMessage = cleanReason ? `${DEFAULT_CANCEL_REASON}: ${cleanReason}` : DEFAULT_CANCEL_REASON;
      await assertVisible(id, caller);
      const result = await repo.cancelJobGuarded(prisma, { id, errorMessage, by: auditActorOf(caller), reason: errorMessage, now: clock() });
      if (result) return result.job;
      const row = await requireRow(id);
      throw new DomainError('NOT_CANCELLABLE', 'Job not found or cannot be cancelled', `Job is already ${row.status}`);
    },

    /** POST …/retry. A failed job with retries left goes back to pending, claimable at once. */
    async retryJob(
      id: string,
      options: { reason?: string | undefined; retriedBy?: string | undefined } = {},
      caller: Caller = OPEN_CALLER,
    ): Promise<{ job: ScrapeJob; message: string }> {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const row = await visibleRow(id, caller);
        if (row.status !== 'failed') {
          throw new DomainError('NOT_RETRYABLE', 'Job cannot be retried', { currentStatus: row.status, reason: NOT_RETRYABLE_REASONS[row.status] });
        }
        if (!hasRetriesLeft(row)) {
          const history = await repo.listJobHistory(prisma, id);
          throw new DomainError('MAX_RETRIES_EXCEEDED', 'Job has exceeded maximum retry attempts', {
            jobId: row.id,
            currentRetries: row.retry_count,
            maxRetries: row.max_retries,
            lastError: row.error_message,
            failurePattern: describeFailures(history),
          });
        }
        const job = await repo
          .retryJobGuarded(prisma, {
            id,
            by: auditActorOf(caller),
            retriedBy: options.retriedBy ?? caller.actor,
            reason: options.reason ? sanitizeErrorMessage(options.reason) : 'Manual retry',
            now: clock(),
          })
          .catch(async (error: unknown) => {
            throw await repo.asDuplicateActiveJob(prisma, error, row);
          });
        if (job) return { job, message: `Job scheduled for retry (attempt ${job.retry_count}/${job.max_retries})` };
      }
      return raceLost();
    },

    /** A tenant's worker key sees and claims only its tenant's jobs. */
    peekNextJob(jobTypes?: JobType[], caller: Caller = OPEN_CALLER): Promise<ScrapeJob | null> {
      return repo.peekNextJob(db, clock(), jobTypes, caller.principal.tenantId);
    },

    claimNextJob(args: { workerId: string; jobTypes?: JobType[] | undefined }, caller: Caller = OPEN_CALLER): Promise<ClaimedJob | null> {
      const by = auditActorOf(caller, `worker:${args.workerId}`);
      return repo.claimNextJob(db, { ...args, by, tenantId: caller.principal.tenantId, claimTimeoutMs, now: clock() });
    },

    /** Up to `limit` jobs in one claim, in claim order; each has its own claim token. */
    claimJobs(args: { workerId: string; limit: number; jobTypes?: JobType[] | undefined }, caller: Caller = OPEN_CALLER): Promise<ClaimedJob[]> {
      const by = auditActorOf(caller, `worker:${args.workerId}`);
      return repo.claimJobs(db, { ...args, by, tenantId: caller.principal.tenantId, claimTimeoutMs, now: clock() });
    },

    /**
     * Completes many claimed jobs in one write, each exactly as its fenced PUT `completed`
     * would. Each job stands alone: one whose claim is gone is refused with the error its
     * single PUT would have answered, and the others still complete.
     */
    async completeJobs(jobs: repo.CompletionUnderClaim[], caller: Caller = OPEN_CALLER): Promise<BatchCompletion> {
      const now = clock();
      const by = { keyId: caller.principal.keyId, requestId: caller.requestId }; // the actor is each job's claim holder
      const completed = await repo.completeJobs(db, { jobs, by, tenantId: caller.principal.tenantId, now });
      const done = new Set(completed.map((job) => job.id));
      const left = jobs.filter((job) => !done.has(job.id));
      const rows = left.length > 0 ? new Map((await repo.findJobRows(prisma, left.map((job) => job.id))).map((row) => [row.id, row])) : new Map();
      const refused = left.map(({ id, claimToken }) => {
        const row = rows.get(id);
        try {
          if (!row || !isVisible(row, caller)) throw new DomainError('NOT_FOUND', 'Job not found');
          assertClaimHeld(row, claimToken, now);
          raceLost(); // held now, so it changed hands and back while we wrote
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          return { id, error: { code: error.code, message: error.message, details: error.details } };
        }
      });
      return { completed, refused };
    },

    /** Extends the claim and merges progress. A lost claim answers CLAIM_LOST with the job's status. */
    async heartbeat(args: { id: string; claimToken: string; stats?: Record<string, unknown> | undefined }, caller: Caller = OPEN_CALLER): Promise<ScrapeJob> {
      await assertVisible(args.id, caller);
      const now = clock();
      const job = await repo.heartbeat(db, { ...args, claimTimeoutMs, now });
      if (job) return job;
      assertClaimHeld(await requireRow(args.id), args.claimToken, now);
      return raceLost();
    },

    /**
     * Stores page results from the worker holding the claim (fenced like a heartbeat). A URL
     * repeated in one batch keeps its last entry.
     */
    async reportPages(args: { id: string; claimToken: string; pages: PageResultRecord[] }, caller: Caller = OPEN_CALLER): Promise<{ stored: number }> {
      await assertVisible(args.id, caller);
      const now = clock();
      const pages = [...new Map(args.pages.map((page) => [page.url, page])).values()];
      const stored = await repo.insertPageResults(db, { jobId: args.id, claimToken: args.claimToken, pages, now });
      if (stored !== null) return { stored };
      assertClaimHeld(await requireRow(args.id), args.claimToken, now);
      return raceLost();
    },

    /** A job's pages in fetch order, paged. */
    async getResults(args: { id: string; limit: number; offset: number }, caller: Caller = OPEN_CALLER): Promise<{ pages: PageResultRecord[]; pagination: Pagination }> {
      await visibleRow(args.id, caller);
      const { pages, total } = await repo.listPageResults(db, { jobId: args.id, limit: args.limit, offset: args.offset });
      return { pages, pagination: { offset: args.offset, limit: args.limit, total, has_more: args.offset + pages.length < total } };
    },

    /** The claim holder hands the job back to the queue (e.g. on shutdown). */
    async releaseClaim(args: { id: string; claimToken: string; reason?: string | undefined }, caller: Caller = OPEN_CALLER): Promise<ScrapeJob> {
      const now = clock();
      const row = await visibleRow(args.id, caller);
      const by = auditActorOf(caller, row.worker_id ? `worker:${row.worker_id}` : undefined);
      const reason = args.reason ? `Released by the worker: ${sanitizeErrorMessage(args.reason)}` : 'Released by the worker';
      const job = await repo.releaseClaim(db, { id: args.id, claimToken: args.claimToken, by, reason, now });
      if (job) return job;
      assertClaimHeld(await requireRow(args.id), args.claimToken, now);
      return raceLost();
    },

    /** The claim-timeout sweep (the server runs it on an interval). */
    releaseExpiredClaims(): Promise<ReleasedClaim[]> {
      return repo.releaseExpiredClaims(db, clock());
    },

    /**
     * Folds the job changes pending since the last fold into the stats rollups (the server
     * does it every STATS_FOLD_INTERVAL_MS); returns how many it moved.
     */
    foldJobStats(): Promise<number> {
      return repo.foldJobStats(prisma);
    },

    /**
     * A tenant's caller gets its tenant's figures only. Folds first: the figures are exact
     * without it, but a read after a burst of writes is cheaper after it.
     */
    async getJobStats(scope: repo.StatsScope, caller: Caller = OPEN_CALLER): Promise<JobStatsReport> {
      await repo.foldJobStats(prisma);
      const report: JobStatsReport = await repo.computeJobStats(prisma, { ...scope, tenant_id: caller.principal.tenantId }, clock());
      if (scope.domain) report.recommendations = recommendationsFor(report);
      return report;
    },

    /** Every change to any job, from this process or another on the same database (see Database.onJobChange). */
    onJobChange(listener: (change: JobChange) => void, options?: { watch?: boolean }): () => void {
      return db.onJobChange(listener, options);
    },
  };
}

export type ScrapeJobManager = ReturnType<typeof createScrapeJobManager>;

/** Whether the caller's tenant (if it has one) owns the job. */
export function isVisible(job: { customer_config_id: string | null }, caller: Caller): boolean {
  const tenant = caller.principal.tenantId;
  return !tenant || job.customer_config_id === tenant;
}

/** The caller as the audit trail records it; `actor` replaces the caller's (a worker named by its claim). */
function auditActorOf(caller: Caller, actor: string = caller.actor): repo.AuditActor {
  return { actor, keyId: caller.principal.keyId, requestId: caller.requestId };
}

/** An update's history reason: the error message or "Status updated" for a move; none when the status stays. */
function updateReason(from: JobStatus, to: JobStatus, errorMessage: string | null | undefined): string | null {
  return to !== from ? (errorMessage ?? 'Status updated') : null;
}

/** completed_at belongs to finished jobs only. */
function assertCompletedAtFits(to: JobStatus, completedAt: string | Date | null | undefined): void {
  if (completedAt && isActiveStatus(to)) {
    throw new DomainError('VALIDATION', 'completed_at can only be set on a completed, failed or cancelled job');
  }
  if (completedAt === null && !isActiveStatus(to)) {
    throw new DomainError('VALIDATION', `completed_at cannot be cleared on a ${to} job`);
  }
}

/** Throws CLAIM_LOST unless `token` is the job's live claim. */
function assertClaimHeld(row: repo.JobRow, token: string, now: Date): void {
  if (row.status === 'running' && row.claim_token === token && row.claim_expires_at && row.claim_expires_at > now) return;
  const reason =
    row.status !== 'running'
      ? `The job is ${row.status}`
      : row.claim_token === token
        ? 'The claim expired'
        : 'The job was claimed again by another worker';
  throw new DomainError('CLAIM_LOST', 'Claim is no longer held by this worker', { currentStatus: row.status, reason });
}

/** undefined stays "not given", null stays "clear it". */
function toDate(value: string | null | undefined): Date | null | undefined {
  return value === undefined || value === null ? value : new Date(value);
}

function describeFailures(history: JobHistoryEntry[]): string {
  const failures = history.filter((h) => h.to_status === 'failed' && h.from_status !== 'failed').map((h) => h.reason ?? '');
  if (failures.length === 0) return 'No failure recorded';
  const distinct = new Set(failures).size;
  return distinct === 1 ? `The same error in all ${failures.length} failures` : `${distinct} different errors in ${failures.length} failures`;
}
