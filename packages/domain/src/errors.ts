/**
 * Every failure the service reports on purpose. The api package maps each code to one HTTP
 * status and one tRPC code (see `packages/api/src/errors.ts`); the message is the contract's
 * sentence and goes to the client unchanged.
 */
export const DOMAIN_ERROR_CODES = {
  /** Input failed a schema: 400. */
  VALIDATION: 'VALIDATION',
  /** No job with that id: 404. */
  NOT_FOUND: 'NOT_FOUND',
  /** A status move the transition table forbids: 400. */
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  /** A pending or running job already exists for the domain and job type: 409. */
  DUPLICATE_ACTIVE_JOB: 'DUPLICATE_ACTIVE_JOB',
  /** Cancel of a job that is final: 409. */
  NOT_CANCELLABLE: 'NOT_CANCELLABLE',
  /** Retry of a job that is not failed: 400. */
  NOT_RETRYABLE: 'NOT_RETRYABLE',
  /** Retry of a failed job with no retries left: 400. */
  MAX_RETRIES_EXCEEDED: 'MAX_RETRIES_EXCEEDED',
  /** A worker write whose claim expired, was re-claimed or whose job was cancelled: 409. */
  CLAIM_LOST: 'CLAIM_LOST',
  /** Two writers raced and this one lost (the row changed under it): 409. */
  CONFLICT: 'CONFLICT',
  /** No credentials, or an unknown or revoked API key: 401. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The key's role does not allow the action: 403. (Another tenant's job is NOT_FOUND.) */
  FORBIDDEN: 'FORBIDDEN',
  /** Over the key's rate limit: 429. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The request body is over the size limit: 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The database is unreachable: 503. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A real fault: 500. */
  INTERNAL: 'INTERNAL',
} as const;
export type DomainErrorCode = keyof typeof DOMAIN_ERROR_CODES;

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
