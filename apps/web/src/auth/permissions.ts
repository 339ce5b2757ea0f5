/**
 * Why the signed-in key may not do something, in a sentence for a disabled button's title
 * and the note beside it. The server decides; this only keeps the dashboard from offering
 * what the server would refuse (and it still shows the server's sentence if it does).
 */
import type { Permission } from '@scrape-jobs/domain';
import type { WhoAmI } from '../trpc.ts';

/** null when `identity` has `permission`; otherwise "A viewer key cannot create jobs (it needs jobs:write)". */
export function deniedReason(identity: Pick<WhoAmI, 'principal' | 'permissions'>, permission: Permission, action: string): string | null {
  if (identity.permissions.includes(permission)) return null;
  return `A ${identity.principal.role} key cannot ${action} (it needs ${permission})`;
}
