import { Prisma } from './generated/prisma/client.ts';

export const sql = Prisma.sql;
export const join = Prisma.join;
export const empty = Prisma.empty;
export type Sql = Prisma.Sql;

/** A timestamp parameter; passed as text and cast, so both adapters read it the same way. */
export const ts = (date: Date): Sql => sql`${date.toISOString()}::timestamptz`;
export const tsOrNull = (date: Date | null): Sql => (date === null ? sql`NULL::timestamptz` : ts(date));
export const jsonb = (value: unknown): Sql => sql`${JSON.stringify(value)}::jsonb`;

/** One row of job history to write in the same statement as the change it records. */
export interface HistoryInsert {
  from_status: string | null;
  to_status: string;
  actor: string;
  reason: string | null;
}

/**
 * `WITH changed AS (<update … RETURNING *>), history AS (INSERT …) SELECT * FROM changed`:
 * the change and its history rows in one statement, so one never exists without the other.
 */
export function withHistory(change: Sql, history: HistoryInsert[], now: Date): Sql {
  if (history.length === 0) return sql`WITH changed AS (${change}) SELECT * FROM changed`;
  return sql`
    WITH changed AS (${change}),
    history AS (
      INSERT INTO job_history (job_id, from_status, to_status, actor, reason, at)
      SELECT changed.id, (h.entry ->> 'from_status')::job_status, (h.entry ->> 'to_status')::job_status,
             h.entry ->> 'actor', h.entry ->> 'reason', ${ts(now)}
      FROM changed CROSS JOIN jsonb_array_elements(${jsonb(history)}) WITH ORDINALITY AS h(entry, n)
      ORDER BY h.n
    )
    SELECT * FROM changed`;
}
