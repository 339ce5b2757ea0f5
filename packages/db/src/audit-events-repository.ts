import type { AuditEvent, ListAuditEvents } from '@scrape-jobs/domain';
import type { Prisma } from './open-database.ts';
import { empty, join, jsonb, sql, ts, type Sql } from './sql.ts';

/** One action to record in the general audit trail (`audit_events`, append-only). */
export interface AuditEventInsert {
  /** As the history records it: `key:<id>`, `api`, `cli`, `system`, … */
  actor: string;
  keyId: string | null;
  requestId: string | null;
  /** What happened, `<subject>.<verb>`: `api_key.created`, `api_key.revoked`, `webhook.created`, … */
  action: string;
  subjectType: string;
  subjectId: string;
  /** What changed, field by field (never secrets). */
  changes: Record<string, unknown>;
  /** The tenant the subject belongs to, so a tenant's admin sees only its own events. */
  tenantId: string | null;
}

/** An `audit_events` row as raw SQL returns it: the API's shape with a bigint id and a Date. */
type AuditRow = Omit<AuditEvent, 'id' | 'at'> & { id: bigint | number; at: Date };

const toAuditEvent = (row: AuditRow): AuditEvent => ({
  id: Number(row.id),
  at: new Date(row.at).toISOString(),
  actor: row.actor,
  key_id: row.key_id,
  request_id: row.request_id,
  action: row.action,
  subject_type: row.subject_type,
  subject_id: row.subject_id,
  changes: row.changes,
  tenant_id: row.tenant_id,
});

/** The VALUES of one audit row, for an INSERT of its own or inside another write's statement. */
export function auditValues(event: AuditEventInsert, now: Date): Sql {
  return sql`(${ts(now)}, ${event.actor}, ${event.keyId}::uuid, ${event.requestId}, ${event.action}, ${event.subjectType},
    ${event.subjectId}, ${jsonb(event.changes)}, ${event.tenantId}::uuid)`;
}

export const AUDIT_COLUMNS = sql`(at, actor, key_id, request_id, action, subject_type, subject_id, changes, tenant_id)`;

/** Appends one event. Other modules (webhooks, …) record their actions through this. */
export async function recordAuditEvent(prisma: Prisma, event: AuditEventInsert, now: Date = new Date()): Promise<AuditEvent> {
  const rows = await prisma.$queryRaw<AuditRow[]>`INSERT INTO audit_events ${AUDIT_COLUMNS} VALUES ${auditValues(event, now)} RETURNING *`;
  return toAuditEvent(rows[0]!);
}

/** Newest first. `tenantId` set: only that tenant's events. */
export async function listAuditEvents(
  prisma: Prisma,
  filter: ListAuditEvents & { tenantId?: string | null | undefined },
): Promise<{ events: AuditEvent[]; total: number }> {
  const conditions: Sql[] = [];
  if (filter.action) conditions.push(sql`action = ${filter.action}`);
  if (filter.subject_type) conditions.push(sql`subject_type = ${filter.subject_type}`);
  if (filter.subject_id) conditions.push(sql`subject_id = ${filter.subject_id}`);
  if (filter.tenantId) conditions.push(sql`tenant_id = ${filter.tenantId}::uuid`);
  const where = conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
  const [rows, counted] = await Promise.all([
    prisma.$queryRaw<AuditRow[]>`SELECT * FROM audit_events ${where} ORDER BY id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}`,
    prisma.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM audit_events ${where}`,
  ]);
  return { events: rows.map(toAuditEvent), total: counted[0]?.total ?? 0 };
}
