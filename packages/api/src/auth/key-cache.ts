import type { Principal } from '@scrape-jobs/domain';

/**
 * Active keys by hash, for at most `ttlMs`, so that a busy client does not cost a lookup per
 * request. Only found keys are kept. A key that changes (revoked, …) is forgotten when the
 * database announces it (the access service listens); `ttlMs` bounds how long a lookup is
 * trusted should that news not arrive.
 */
export interface KeyCache {
  get(hash: string): Principal | undefined;
  set(hash: string, principal: Principal): void;
  forgetKey(keyId: string): void;
  forgetAll(): void;
}

export function createKeyCache(ttlMs: number, clock: () => number = Date.now): KeyCache {
  const entries = new Map<string, { principal: Principal; expiresAt: number }>();
  return {
    get(hash) {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (entry.expiresAt <= clock()) {
        entries.delete(hash);
        return undefined;
      }
      return entry.principal;
    },
    set(hash, principal) {
      if (ttlMs <= 0) return;
      // A handful of keys is the norm; the bound only stops a flood of distinct keys growing it.
      if (entries.size >= 10_000) entries.clear();
      entries.set(hash, { principal, expiresAt: clock() + ttlMs });
    },
    forgetKey(keyId) {
      for (const [hash, entry] of entries) if (entry.principal.keyId === keyId) entries.delete(hash);
    },
    forgetAll() {
      entries.clear();
    },
  };
}
