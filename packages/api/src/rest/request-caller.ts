import { OPEN_PRINCIPAL } from '@scrape-jobs/domain';
import type { FastifyRequest } from 'fastify';
import { callerFor, type Caller } from '../caller.ts';

/** The caller of a REST request: every REST route file asks here, nowhere else. */
export function callerOf(request: FastifyRequest): Caller {
  const worker = request.headers['x-worker-id'];
  const workerId = typeof worker === 'string' && worker ? worker.slice(0, 200) : undefined;
  return callerFor({ principal: OPEN_PRINCIPAL, requestId: request.id, workerId });
}
