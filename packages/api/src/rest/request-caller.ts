import { DomainError } from '@scrape-jobs/domain';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../caller.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook (rest/authentication.ts) for every /api request. */
    caller?: Caller;
  }
}

/** The caller of a REST request: every REST route file asks here, nowhere else. */
export function callerOf(request: FastifyRequest): Caller {
  // Fail closed: a route the authentication hook did not cover serves nobody.
  if (!request.caller) throw new DomainError('UNAUTHENTICATED', 'Authentication required');
  return request.caller;
}
