import { DomainError, sanitizeErrorMessage, type DomainErrorCode } from '@scrape-jobs/domain';
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
  return new DomainError('INTERNAL', `Failed to ${operation}`, sanitizeErrorMessage(cause.replace(/\s+/g, ' '), MAX_DETAIL));
}

/** The contract's failure envelope. */
export interface ErrorEnvelope {
  success: false;
  error: string;
  details?: unknown;
  retry?: boolean;
}

/** The longest sentence and the longest text in details that leave the server. */
const MAX_SENTENCE = 500;
const MAX_DETAIL = 300;

/**
 * Every string in an error's details, sanitised (control characters out, URL credentials
 * redacted, capped): details may carry a database's or a worker's words.
 */
export function sanitizeDetails(details: unknown, depth = 0): unknown {
  if (typeof details === 'string') return sanitizeErrorMessage(details, MAX_DETAIL);
  if (depth > 4 || details === null || typeof details !== 'object') return details;
  if (Array.isArray(details)) return details.slice(0, 50).map((item) => sanitizeDetails(item, depth + 1));
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [key, sanitizeDetails(value, depth + 1)]));
}

export const sanitizeSentence = (message: string) => sanitizeErrorMessage(message, MAX_SENTENCE);

export function toErrorEnvelope(error: DomainError): ErrorEnvelope {
  const envelope: ErrorEnvelope = { success: false, error: sanitizeSentence(error.message) };
  if (error.details !== undefined) envelope.details = sanitizeDetails(error.details);
  if (ERROR_MAP[error.code].retry) envelope.retry = true;
  return envelope;
}
