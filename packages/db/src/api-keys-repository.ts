import type { ApiKeyView, Role } from '@scrape-jobs/domain';
import { AUDIT_COLUMNS, type AuditEventInsert } from './audit-events-repository.ts';
import type { Prisma } from './open-database.ts';
import { empty, join, sql, ts, type Sql } from './sql.ts';

/** An `api_keys` row. The hash never leaves the db and api packages. */
export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  tenant_id: string | null;
  key_hash: string;
  key_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

export const toApiKeyView = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  role: row.role,
  tenant_id: row.tenant_id,
  key_prefix: row.key_prefix,
  created_at: iso(row.created_at)!,
  revoked_at: iso(row.revoked_at),
  last_used_at: iso(row.last_used_at),
});

/** Stores a new key and its `api_key.created` audit event in one statement. */
export async function insertApiKey(
  prisma: Prisma,
  key: { name: string; role: Role; tenantId: string | null; keyHash: string; keyPrefix: string },
  audit: Omit<AuditEventInsert, 'subjectId' | 'subjectType' | 'action' | 'changes' | 'tenantId'>,
  now: Date,
): Promise<ApiKeyView> {
  const rows = await prisma.$queryRaw<ApiKeyRow[]>`
    WITH created AS (
      INSERT INTO api_keys (name, role, tenant_id, key_hash, key_prefix, created_at)
      VALUES (${key.name}, ${key.role}, ${key.tenantId}::uuid, ${key.keyHash}, ${key.keyPrefix}, ${ts(now)})
      RETURNING *
    ),
    audit AS (
      INSERT INTO audit_events ${AUDIT_COLUMNS}
      SELECT ${ts(now)}, ${audit.actor}, ${audit.keyId}::uuid, ${audit.requestId}, 'api_key.created', 'api_key', id::text,
             jsonb_build_object('name', name, 'role', role, 'tenant_id', tenant_id, 'key_prefix', key_prefix), tenant_id
      FROM created
    )
    SELECT * FROM created`;
  return toApiKeyView(rows[0]!);
}

/** The key with this hash unless it is revoked. */
export async function findActiveApiKeyByHash(prisma: Prisma, keyHash: string): Promise<ApiKeyRow | null> {
  const rows = await prisma.$queryRaw<ApiKeyRow[]>`SELECT * FROM api_keys WHERE key_hash = ${keyHash} AND revoked_at IS NULL`;
  return rows[0] ?? null;
}

export async function findApiKey(prisma: Prisma, id: string): Promise<ApiKeyRow | null> {
  const rows = await prisma.$queryRaw<ApiKeyRow[]>`SELECT * FROM api_keys WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

/** Newest first. `tenantId` set: only that tenant's keys. */
export async function listApiKeys(prisma: Prisma, filter: { tenantId?: string | null | undefined; includeRevoked: boolean }): Promise<ApiKeyView[]> {
  const conditions: Sql[] = [];
  if (filter.tenantId) conditions.push(sql`tenant_id = ${filter.tenantId}::uuid`);
  if (!filter.includeRevoked) conditions.push(sql`revoked_at IS NULL`);
  const where = conditions.length > 0 ? sql`WHERE ${join(conditions, ' AND ')}` : empty;
  const rows = await prisma.$queryRaw<ApiKeyRow[]>`SELECT * FROM api_keys ${where} ORDER BY created_at DESC, id DESC`;
  return rows.map(toApiKeyView);
}

/**
 * Revokes an active key and records `api_key.revoked` in the same statement. Null when
 * the key is absent or already revoked (nothing is written then).
 */
export async function revokeApiKey(
  prisma: Prisma,
  id: string,
  audit: Omit<AuditEventInsert, 'subjectId' | 'subjectType' | 'action' | 'changes' | 'tenantId'>,
  now: Date,
): Promise<ApiKeyView | null> {
  const rows = await prisma.$queryRaw<ApiKeyRow[]>`
    WITH revoked AS (
      UPDATE api_keys SET revoked_at = ${ts(now)} WHERE id = ${id}::uuid AND revoked_at IS NULL RETURNING *
    ),
    audit AS (
      INSERT INTO audit_events ${AUDIT_COLUMNS}
      SELECT ${ts(now)}, ${audit.actor}, ${audit.keyId}::uuid, ${audit.requestId}, 'api_key.revoked', 'api_key', id::text,
             jsonb_build_object('revoked_at', jsonb_build_array(NULL, revoked_at)), tenant_id
      FROM revoked
    )
    SELECT * FROM revoked`;
  return rows[0] ? toApiKeyView(rows[0]) : null;
}

/** Marks a key used, at most once per `minIntervalMs` (the WHERE makes concurrent calls cheap no-ops). */
export async function touchApiKey(prisma: Prisma, id: string, now: Date, minIntervalMs: number): Promise<void> {
  await prisma.$executeRaw`
    UPDATE api_keys SET last_used_at = ${ts(now)}
    WHERE id = ${id}::uuid AND (last_used_at IS NULL OR last_used_at < ${ts(new Date(now.getTime() - minIntervalMs))})`;
}
