import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toDomainError, httpStatusOf, toErrorEnvelope } from '../errors.ts';
import { enforceRateLimit, type RateLimitBucket, type RateLimiter } from '../rate-limit/index.ts';
import { callerOf } from './request-caller.ts';

/** How a REST route names its bucket: fixed, or chosen from the (parsed) request. */
export type RouteRateLimit = RateLimitBucket | ((request: FastifyRequest) => RateLimitBucket);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Tag a route with `config: { rateLimit: 'writes' }` to count it against that bucket. */
    rateLimit?: RouteRateLimit;
  }
}

/**
 * Limits every REST route tagged with `config.rateLimit`, app-wide (call it on the root
 * instance before the routes are registered). It runs at preValidation: the body is parsed
 * (a fenced update is told apart by its claim token) and nothing has been done yet.
 */
export function registerRestRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('preValidation', async (request, reply) => {
    const tag = request.routeOptions.config.rateLimit;
    if (!tag) return;
    try {
      enforceRateLimit({
        limiter,
        bucket: typeof tag === 'function' ? tag(request) : tag,
        principal: callerOf(request).principal,
        clientIp: request.ip,
        setHeader: (name, value) => void reply.header(name, value),
      });
    } catch (error) {
      const domain = toDomainError(error, 'check the rate limit');
      return reply.code(httpStatusOf(domain.code)).send(toErrorEnvelope(domain));
    }
  });
}
