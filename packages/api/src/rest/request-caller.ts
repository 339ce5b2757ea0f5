import { OPEN_PRINCIPAL } from '@scrape-jobs/domain';
import type { FastifyRequest } from 'fastify';
import { callerFor, workerIdFromHeader, type Caller } from '../caller.ts';

/** The caller of a REST request: every REST route file asks here, nowhere else. */
export function callerOf(request: FastifyRequest): Caller {
  const workerId = workerIdFromHeader(request.headers['x-worker-id']);
  return callerFor({ principal: OPEN_PRINCIPAL, requestId: request.id, workerId });
}
