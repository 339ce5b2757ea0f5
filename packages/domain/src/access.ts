import { DomainError } from './errors.ts';

/**
 * Who may do what. A request is made by a principal: an API key (its role, and its tenant
 * when the key belongs to one) or, in `AUTH_MODE=open` without a key, the open principal.
 *
 * - `admin`: everything, including API keys.
 * - `operator`: read, create/update/cancel/retry jobs, manage webhooks.
 * - `viewer`: read only.
 * - `worker`: the queue (peek, claim), writes fenced by a claim it holds, and the reads the
 *   worker app makes: the change feed (to wake up and to notice a cancellation) and a
 *   domain's last completed job and its pages (what `content_update` compares against).
 */
export const ROLES = ['admin', 'operator', 'viewer', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** list, get, stats, history, results, change feed */
  'jobs:read': ['admin', 'operator', 'viewer', 'worker'],
  /** create, update without a claim token, cancel, retry */
  'jobs:write': ['admin', 'operator'],
  /** peek, claim, heartbeat, report pages, release, update with a claim token */
  'queue:work': ['admin', 'worker'],
  'webhooks:read': ['admin', 'operator', 'viewer'],
  'webhooks:manage': ['admin', 'operator'],
  'keys:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export interface Principal {
  /** The API key's id; null for the open principal. */
  keyId: string | null;
  /** The key's name, for people reading logs and the dashboard. */
  name: string;
  role: Role;
  /** The tenant (`customer_config_id`) the key is confined to; null sees every tenant. */
  tenantId: string | null;
}

/** `AUTH_MODE=open` without a key: local use, everything allowed, every tenant. */
export const OPEN_PRINCIPAL: Principal = Object.freeze({ keyId: null, name: 'open access', role: 'admin', tenantId: null });

export function can(principal: Principal, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(principal.role);
}

/** Throws FORBIDDEN unless the principal's role grants the permission. */
export function assertCan(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) {
    throw new DomainError('FORBIDDEN', `Forbidden: a ${principal.role} key cannot do this`, { required: permission, role: principal.role });
  }
}
