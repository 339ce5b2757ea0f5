import {
  DomainError,
  type ApiKeyView,
  type AuditEvent,
  type CreateApiKey,
  type ListApiKeys,
  type ListAuditEvents,
  type Principal,
} from '@scrape-jobs/domain';
import * as repo from '@scrape-jobs/db';
import type { Database } from '@scrape-jobs/db';
import { displayPrefix, generateApiKeySecret, hashApiKeySecret, looksLikeApiKey } from './auth/api-key-secret.ts';
import { createKeyCache, type KeyCache } from './auth/key-cache.ts';
import type { Caller } from './caller.ts';
import type { Pagination } from './scrape-job-manager.ts';

export interface AccessServiceOptions {
  db: Database;
  clock?: () => Date;
  /**
   * How long a looked-up key is trusted without asking the database again, should the news
   * of its revocation not arrive (see KeyCache). Default 5 s.
   */
  cacheTtlMs?: number;
  /** `last_used_at` is written at most this often per key. Default 60 s. */
  touchIntervalMs?: number;
}

/** A newly created key: what lists show, plus the secret, which is never shown again. */
export type CreatedApiKey = ApiKeyView & { key: string };

/**
 * API keys and the general audit trail: who a secret belongs to, and the key management
 * rules (a tenant's admin manages only its own tenant's keys and sees only its events).
 * Permission checks happen before these methods, in the procedure bases and route table.
 */
export function createAccessService(options: AccessServiceOptions) {
  const prisma = options.db.prisma;
  const clock = options.clock ?? (() => new Date());
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  const cache: KeyCache = createKeyCache(options.cacheTtlMs ?? 5000, () => clock().getTime());
  // A key revoked or changed by any process (a server, the CLI) is forgotten here at once.
  options.db.onApiKeyChange((keyId) => (keyId ? cache.forgetKey(keyId) : cache.forgetAll()));
  const lastTouched = new Map<string, number>();

  const auditBy = (caller: Caller) => ({ actor: caller.actor, keyId: caller.principal.keyId, requestId: caller.requestId });

  /** Records use without a write per request; a failed write only loses a timestamp. */
  function touch(keyId: string): void {
    const now = clock();
    const last = lastTouched.get(keyId);
    if (last !== undefined && now.getTime() - last < touchIntervalMs) return;
    lastTouched.set(keyId, now.getTime());
    repo.touchApiKey(prisma, keyId, now, touchIntervalMs).catch(() => lastTouched.delete(keyId));
  }

  async function visibleKey(id: string, caller: Caller) {
    const row = await repo.findApiKey(prisma, id);
    const tenant = caller.principal.tenantId;
    if (!row || (tenant && row.tenant_id !== tenant)) throw new DomainError('NOT_FOUND', 'API key not found');
    return row;
  }

  return {
    /** The principal a secret stands for, or null when it is unknown or revoked. */
    async principalForSecret(secret: string): Promise<Principal | null> {
      if (!looksLikeApiKey(secret)) return null;
      const hash = hashApiKeySecret(secret);
      let principal = cache.get(hash);
      if (!principal) {
        const row = await repo.findActiveApiKeyByHash(prisma, hash);
        if (!row) return null;
        principal = Object.freeze({ keyId: row.id, name: row.name, role: row.role, tenantId: row.tenant_id });
        cache.set(hash, principal);
      }
      touch(principal.keyId!);
      return principal;
    },

    /** A new key; a tenant's admin makes keys of its own tenant only. */
    async createKey(input: CreateApiKey, caller: Caller): Promise<CreatedApiKey> {
      const own = caller.principal.tenantId;
      const tenantId = input.tenant_id ?? own ?? null;
      if (own && tenantId !== own) {
        throw new DomainError('FORBIDDEN', 'Forbidden: a tenant key can only create keys of its own tenant', { tenant_id: own });
      }
      const secret = generateApiKeySecret();
      const view = await repo.insertApiKey(
        prisma,
        { name: input.name, role: input.role, tenantId, keyHash: hashApiKeySecret(secret), keyPrefix: displayPrefix(secret) },
        auditBy(caller),
        clock(),
      );
      return { ...view, key: secret };
    },

    listKeys(filter: ListApiKeys, caller: Caller): Promise<ApiKeyView[]> {
      return repo.listApiKeys(prisma, { tenantId: caller.principal.tenantId, includeRevoked: filter.include_revoked });
    },

    /**
     * Revokes at once in this process; other processes stop accepting it when the
     * database's announcement reaches them (milliseconds), within the cache's lifetime at
     * the latest. Revoking a revoked key is a no-op that answers the key as it is.
     */
    async revokeKey(id: string, caller: Caller): Promise<ApiKeyView> {
      const row = await visibleKey(id, caller);
      const revoked = row.revoked_at ? null : await repo.revokeApiKey(prisma, id, auditBy(caller), clock());
      cache.forgetKey(id);
      return revoked ?? repo.toApiKeyView((await repo.findApiKey(prisma, id))!);
    },

    async listAuditEvents(filter: ListAuditEvents, caller: Caller): Promise<{ events: AuditEvent[]; pagination: Pagination }> {
      const { events, total } = await repo.listAuditEvents(prisma, { ...filter, tenantId: caller.principal.tenantId });
      return { events, pagination: { offset: filter.offset, limit: filter.limit, total, has_more: filter.offset + events.length < total } };
    },
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
