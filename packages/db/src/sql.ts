import type { JobHistoryAction } from '@scrape-jobs/domain';
import { Prisma } from './generated/prisma/client.ts';

export const sql = Prisma.sql;
export const join = Prisma.join;
export const empty = Prisma.empty;
/** Text pasted into the statement as is: only ever for our own constants (column names). */
export const raw = Prisma.raw;
export type Sql = Prisma.Sql;

/** A timestamp parameter; passed as text and cast, so both adapters read it the same way. */
export const ts = (date: Date): Sql => sql`${date.toISOString()}::timestamptz`;
export const tsOrNull = (date: Date | null): Sql => (date === null ? sql`NULL::timestamptz` : ts(date));
export const jsonb = (value: unknown): Sql => sql`${JSON.stringify(value)}::jsonb`;

/** Who made a change, as the audit trail records it. */
export interface AuditActor {
  /** `api`, `key:<key id>`, `worker:<worker id>`, `system`, … */
  actor: string;
  /** The API key of the request; null for open access and the system. */
  keyId: string | null;
  /** The request's id; null outside a request (the sweep). */
  requestId: string | null;
}

/** The system's own changes (the claim sweep), outside any request. */
export const SYSTEM_ACTOR: AuditActor = Object.freeze({ actor: 'system', keyId: null, requestId: null });

/**
 * One row of job history to write in the same statement as the change it records. Its
 * statuses and `changes` are not given: the statement computes them from the row's images.
 */
export interface HistoryInsert {
  action: JobHistoryAction;
  /** `actor` may be an SQL expression over the changed row `c` (e.g. CLAIM_HOLDER). */
  by: Omit<AuditActor, 'actor'> & { actor: string | Sql };
  /** Text, or an SQL expression over the changed row `c` (e.g. naming its old worker). */
  reason: string | null | Sql;
}

const textOrSql = (value: string | null | Sql): Sql => (typeof value === 'string' || value === null ? sql`${value}::text` : value);

/**
 * The worker holding the claim a write was fenced by, as its history's actor. The change must
 * return `old.worker_id AS claim_holder` (updateJobGuarded and completeJobs do).
 */
export const CLAIM_HOLDER = sql`'worker:' || c.claim_holder`;

/** `AS audit_steps`: the images of the changed row a change statement returns for its history. */
export const auditSteps = (...images: Sql[]): Sql => sql`jsonb_build_array(${join(images)}) AS audit_steps`;

/** Column → new value (an expression, e.g. over the locked old row `old`): one UPDATE's SET. */
export type Assignments = Map<string, Sql>;

export const setClause = (set: Assignments): Sql => join([...set].map(([column, value]) => sql`${raw(column)} = ${value}`), ', ');

/**
 * A job row's image for its history, of only the columns `set` assigns (and the status, for
 * the history's from/to): no other column can change, so the diff is the same as over the
 * whole row, at a fraction of the cost (no config or stats to serialise and compare).
 */
export function rowImage(row: 'old' | 'j', set: Assignments): Sql {
  const columns = new Set(['status', ...set.keys()]);
  return sql`jsonb_build_object(${raw([...columns].map((column) => `'${column}', ${row}.${column}`).join(', '))})`;
}

/** The old row as it would be after `step`, over the columns of `columns`: an intermediate step's image. */
export function imageAfter(step: Assignments, columns: Assignments): Sql {
  return sql`${rowImage('old', columns)} || jsonb_build_object(${join([...step].map(([column, value]) => sql`${raw(`'${column}'`)}, ${value}`), ', ')})`;
}

/** The two images of a one-step UPDATE (`old` locked, `j` written) as `audit_steps`. */
export const oldToNew = (set: Assignments): Sql => auditSteps(rowImage('old', set), rowImage('j', set));
/** The missing "before" of an INSERT. */
export const NO_IMAGE = sql`NULL::jsonb`;

/**
 * The one seam every job write goes through: `WITH changed AS (<change>), history AS (INSERT …)
 * SELECT * FROM changed`, the change and its audit rows in one statement, so one never exists
 * without the other, and the old → new values are those of the row the change locked.
 *
 * `change` is an INSERT or UPDATE on `scrape_jobs j` that returns, besides `j.*`, its images
 * as `auditSteps(before, [intermediate…,] after)`: for an UPDATE `oldToNew(set)`, the locked
 * old row (`old`, a `FOR UPDATE` sub-select) and the written one over the columns it sets;
 * for an INSERT NO_IMAGE and `to_jsonb(j)`. History row n of a
 * changed row diffs image n-1 with image n (`job_audit_changes`), so an UPDATE that is two
 * steps (a failure the system retries at once) gives two rows whose changes add up to the write.
 * A step that changed nothing (same status, no column) writes no row.
 */
export function withHistory(change: Sql, history: HistoryInsert[], now: Date): Sql {
  if (history.length === 0) return sql`WITH changed AS (${change}) SELECT * FROM changed`;
  const entries = history.map(
    ({ action, by, reason }, i) =>
      sql`(${i + 1}::int, ${action}::text, ${textOrSql(by.actor)}, ${by.keyId}::uuid, ${by.requestId}::text, ${textOrSql(reason)})`,
  );
  return sql`
    WITH changed AS (${change}),
    history AS (
      INSERT INTO job_history (job_id, action, from_status, to_status, actor, key_id, request_id, reason, changes, at)
      SELECT c.id, e.action, (step.before ->> 'status')::job_status, (step.after ->> 'status')::job_status,
             e.actor, e.key_id, e.request_id, e.reason, step.changes, ${ts(now)}
      FROM changed c
      CROSS JOIN LATERAL (VALUES ${join(entries)}) AS e(n, action, actor, key_id, request_id, reason)
      CROSS JOIN LATERAL (
        SELECT c.audit_steps -> (e.n - 1) AS before, c.audit_steps -> e.n AS after,
               job_audit_changes(c.audit_steps -> (e.n - 1), c.audit_steps -> e.n) AS changes
        OFFSET 0 -- computed once: without it the planner inlines the diff into both the filter and the insert
      ) step
      WHERE step.changes <> '{}'::jsonb
      ORDER BY c.id, e.n
    )
    SELECT * FROM changed`;
}
