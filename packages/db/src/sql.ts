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

/** Column → new value (an expression, e.g. over the locked old row `old`): one UPDATE's SET. */
export type Assignments = Map<string, Sql>;

export const setClause = (set: Assignments): Sql => join([...set].map(([column, value]) => sql`${raw(column)} = ${value}`), ', ');

/**
 * A job row's image for its history: column → its value there, as an SQL expression, over
 * only the columns a write assigns (and the status, for the history's from/to). No other
 * column can change, so the diff is the same as over the whole row.
 */
export type Image = Map<string, Sql>;

/** The locked old row (`old`) or the written one (`j`), over the columns of `set`. */
export function rowImage(row: 'old' | 'j', set: Assignments): Image {
  return new Map(['status', ...set.keys()].map((column) => [column, raw(`${row}.${column}`)]));
}

/** The old row as it would be after `step`, over the columns of `columns`: an intermediate step's image. */
export function imageAfter(step: Assignments, columns: Assignments): Image {
  return new Map([...rowImage('old', columns), ...step]);
}

/** Never in a history's changes: the id never changes, updated_at changes with every write, the claim token is a secret. */
const UNAUDITED = new Set(['id', 'updated_at', 'claim_token']);

/** A column's value as the audit keeps it (job_audit_value): timestamps as ISO-8601 UTC with milliseconds. */
const auditValue = (column: string, value: Sql): Sql =>
  column.endsWith('_at')
    ? sql`COALESCE(to_jsonb(to_char((${value}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'null'::jsonb)`
    : sql`COALESCE(to_jsonb(${value}), 'null'::jsonb)`;

/**
 * `{ "<column>": { "old": …, "new": … } }` of the columns that differ between two images, as
 * one expression: the same as job_audit_changes over their JSON images, an order of
 * magnitude cheaper, since nothing is serialised to be compared and nothing is looped over.
 */
function changesBetween(before: Image, after: Image): Sql {
  const columns = [...after.keys()].filter((column) => !UNAUDITED.has(column));
  const terms = columns.map((column) => {
    const [old, next] = [before.get(column)!, after.get(column)!];
    return sql`CASE WHEN (${old}) IS DISTINCT FROM (${next})
      THEN jsonb_build_object(${raw(`'${column}'`)}, jsonb_build_object('old', ${auditValue(column, old)}, 'new', ${auditValue(column, next)}))
      ELSE '{}'::jsonb END`;
  });
  return join(terms, ' || ');
}

/**
 * `AS audit_steps`: what a change statement returns for its history, one step per history
 * row: `{ from, to, changes }` between consecutive images of the changed row (old, [the
 * intermediate…,] written), so an UPDATE that is two steps (a failure the system retries at
 * once) gives two rows whose changes add up to the write.
 */
export function auditSteps(...images: Image[]): Sql {
  const steps = images.slice(1).map(
    (after, i) => sql`jsonb_build_object('from', ${images[i]!.get('status')!}, 'to', ${after.get('status')!}, 'changes', ${changesBetween(images[i]!, after)})`,
  );
  return sql`jsonb_build_array(${join(steps)}) AS audit_steps`;
}

/** The one step of a one-step UPDATE (`old` locked, `j` written). */
export const oldToNew = (set: Assignments): Sql => auditSteps(rowImage('old', set), rowImage('j', set));

/** The one step of an INSERT: from no row to every column that has a value. */
export const CREATION_STEP = sql`jsonb_build_array(jsonb_build_object('from', NULL, 'to', j.status, 'changes', job_audit_changes(NULL, to_jsonb(j)))) AS audit_steps`;

/**
 * The one seam every job write goes through: `WITH changed AS (<change>), history AS (INSERT …)
 * SELECT * FROM changed`, the change and its audit rows in one statement, so one never exists
 * without the other, and the old → new values are those of the row the change locked.
 *
 * `change` is an INSERT or UPDATE on `scrape_jobs j` that returns, besides `j.*`, its history's
 * steps as `audit_steps`: for an UPDATE `oldToNew(set)` (the locked old row `old`, a
 * `FOR UPDATE` sub-select, and the written one, over the columns it sets) or `auditSteps` of
 * more images; for an INSERT CREATION_STEP. History row n of a changed row is step n.
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
      SELECT c.id, e.action, (step ->> 'from')::job_status, (step ->> 'to')::job_status,
             e.actor, e.key_id, e.request_id, e.reason, step -> 'changes', ${ts(now)}
      FROM changed c
      CROSS JOIN LATERAL (VALUES ${join(entries)}) AS e(n, action, actor, key_id, request_id, reason)
      CROSS JOIN LATERAL (SELECT c.audit_steps -> (e.n - 1)) AS s(step)
      WHERE step -> 'changes' <> '{}'::jsonb
      ORDER BY c.id, e.n
    )
    SELECT * FROM changed`;
}
