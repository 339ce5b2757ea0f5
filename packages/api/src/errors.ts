import { DomainError, type DomainErrorCode } from '@scrape-jobs/domain';
import { asInvalidText, asUnavailable } from '@scrape-jobs/db';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/** The one map from domain error codes to HTTP statuses and tRPC codes. */
const ERROR_MAP: Record<DomainErrorCode, { http: number; trpc: TRPC_ERROR_CODE_KEY; retry?: boolean }> = {
  VALIDATION: { http: 400, trpc: 'BAD_REQUEST' },
  INVALID_TRANSITION: { http: 400, trpc: 'BAD_REQUEST' },
  NOT_RETRYABLE: { http: 400, trpc: 'BAD_REQUEST' },
  MAX_RETRIES_EXCEEDED: { http: 400, trpc: 'BAD_REQUEST' },
  NOT_FOUND: { http: 404, trpc: 'NOT_FOUND' },
  DUPLICATE_ACTIVE_JOB: { http: 409, trpc: 'CONFLICT' },
  NOT_CANCELLABLE: { http: 409, trpc: 'CONFLICT' },
  CLAIM_LOST: { http: 409, trpc: 'CONFLICT' },
  CONFLICT: { http: 409, trpc: 'CONFLICT', retry: true },
  UNAUTHENTICATED: { http: 401, trpc: 'UNAUTHORIZED' },
  FORBIDDEN: { http: 403, trpc: 'FORBIDDEN' },
  RATE_LIMITED: { http: 429, trpc: 'TOO_MANY_REQUESTS', retry: true },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: 'PAYLOAD_TOO_LARGE' },
  UNAVAILABLE: { http: 503, trpc: 'SERVICE_UNAVAILABLE', retry: true },
  INTERNAL: { http: 500, trpc: 'INTERNAL_SERVER_ERROR' },
};

export const httpStatusOf = (code: DomainErrorCode) => ERROR_MAP[code].http;
export const trpcCodeOf = (code: DomainErrorCode) => ERROR_MAP[code].trpc;

/**
 * Any thrown value as a DomainError. An unexpected fault becomes INTERNAL with the
 * operation's sentence ("Failed to update scrape job") and the cause as details; a database
 * outage becomes UNAVAILABLE.
 */
export function toDomainError(error: unknown, operation: string): DomainError {
  if (error instanceof DomainError) return error;
  const unavailable = asUnavailable(error);
  if (unavailable) return unavailable;
  const invalidText = asInvalidText(error);
  if (invalidText) return invalidText;
  const cause = error instanceof Error ? error.message : String(error);
  return new DomainError('INTERNAL', `Failed to ${operation}`, cause.replace(/\s+/g, ' ').slice(0, 300));
}

/** The contract's failure envelope. */
export interface ErrorEnvelope {
  success: false;
  error: string;
  details?: unknown;
  retry?: boolean;
}

export function toErrorEnvelope(error: DomainError): ErrorEnvelope {
  const envelope: ErrorEnvelope = { success: false, error: error.message };
  if (error.details !== undefined) envelope.details = error.details;
  if (ERROR_MAP[error.code].retry) envelope.retry = true;
  return envelope;
}
