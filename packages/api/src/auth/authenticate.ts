import { DomainError, OPEN_PRINCIPAL, type Principal } from '@scrape-jobs/domain';
import type { AccessService } from '../access-service.ts';
import type { AuthMode } from '../trpc.ts';

/** What a request brings to prove who it is. */
export interface Credentials {
  /** The `Authorization` header as received. */
  authorization?: string | string[] | undefined;
  /** tRPC `connectionParams.token` (browsers' EventSource cannot send headers). */
  token?: unknown;
}

const HOW_TO_SEND = 'Send an API key as "Authorization: Bearer <key>" (create one with: npm run keys -- create --name <name> --role <role>)';

/** The key a request carries: the header first, else the subscription's connection parameter. */
function presentedKey(credentials: Credentials): string | undefined {
  const header = Array.isArray(credentials.authorization) ? credentials.authorization[0] : credentials.authorization;
  if (header !== undefined && header.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
    // A malformed header is a key that is not valid, not an absent one.
    return match ? match[1]! : header;
  }
  if (typeof credentials.token === 'string' && credentials.token !== '') return credentials.token;
  if (credentials.token !== undefined && credentials.token !== null) return String(credentials.token);
  return undefined;
}

/**
 * Who a request is made as. `keys`: a valid key is required. `open`: no key means the open
 * principal, but a key that is sent is still checked and its role applies.
 * Throws UNAUTHENTICATED (401) otherwise.
 */
export async function authenticate(access: Pick<AccessService, 'principalForSecret'>, mode: AuthMode, credentials: Credentials): Promise<Principal> {
  const key = presentedKey(credentials);
  if (key === undefined) {
    if (mode === 'open') return OPEN_PRINCIPAL;
    throw new DomainError('UNAUTHENTICATED', 'Authentication required', HOW_TO_SEND);
  }
  const principal = await access.principalForSecret(key);
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'Invalid API key', 'The key is unknown or has been revoked');
  return principal;
}
