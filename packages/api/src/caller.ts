import { DomainError, OPEN_PRINCIPAL, workerIdSchema, type Principal } from '@scrape-jobs/domain';

/**
 * Who is asking, for every service method: the principal decides what is allowed and which
 * tenant is visible; actor and request id go into the audit trail.
 */
export interface Caller {
  principal: Principal;
  /** As the history records it: `worker:<worker id>`, `key:<key id>`, `api` (open access) or `system`. */
  actor: string;
  /** The request's id (`X-Request-ID`, or one the server made), null outside a request. */
  requestId: string | null;
  /** From `X-Worker-ID` or a claim's `worker_id`, when the caller is a worker. */
  workerId?: string | undefined;
}

export function callerFor(opts: { principal: Principal; requestId?: string | null | undefined; workerId?: string | undefined }): Caller {
  const { principal, workerId } = opts;
  const actor = workerId ? `worker:${workerId}` : principal.keyId ? `key:${principal.keyId}` : 'api';
  return { principal, actor, requestId: opts.requestId ?? null, workerId };
}

/** In-process use without a request (tests, scripts): open access. */
export const OPEN_CALLER: Caller = callerFor({ principal: OPEN_PRINCIPAL });

/**
 * The `X-Worker-ID` header, checked like a body's `worker_id` (it ends up in the history as
 * `worker:<id>`): absent or empty is no worker; anything else malformed is refused.
 */
export function workerIdFromHeader(header: string | string[] | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const parsed = workerIdSchema.safeParse(header);
  if (!parsed.success) throw new DomainError('VALIDATION', `Invalid X-Worker-ID header: ${parsed.error.issues[0]?.message ?? 'must be one worker id'}`);
  return parsed.data;
}
