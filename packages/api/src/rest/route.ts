import { assertCan, DomainError, type Permission } from '@scrape-jobs/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, toDomainError, toErrorEnvelope } from '../errors.ts';
import { callerOf } from './request-caller.ts';

export type Handler = (request: FastifyRequest) => Promise<{ status?: number; body: Record<string, unknown> }>;

/** What a route's caller must be allowed to do; a function when it depends on the request. */
export type RoutePermission = Permission | ((request: FastifyRequest) => Permission);

/** A JSON body that must be an object; an absent body counts as `{}`. */
export function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('VALIDATION', 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}

export const ok = (data: unknown, extra: Record<string, unknown> = {}) => ({ body: { success: true, data, ...extra } });

/**
 * A route handler with the contract's envelope. The permission is checked first (403 before
 * any input is read); `operation` names the 500's sentence.
 */
export function route(operation: string, permission: RoutePermission, handler: Handler) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      assertCan(callerOf(request).principal, typeof permission === 'function' ? permission(request) : permission);
      const { status = 200, body } = await handler(request);
      return reply.code(status).send(body);
    } catch (error) {
      const domain = toDomainError(error, operation);
      if (domain.code === 'INTERNAL') request.log.error({ err: error }, domain.message);
      if (domain.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
      return reply.code(httpStatusOf(domain.code)).send(toErrorEnvelope(domain));
    }
  };
}

/** Rate-limit tags (rest/rate-limit-hook.ts) for a route's options; routes without one (the reads) are not limited. */
export const WRITES = { config: { rateLimit: 'writes' } } as const;
export const WORKER = { config: { rateLimit: 'worker' } } as const;
