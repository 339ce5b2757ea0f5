import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessService } from '../access-service.ts';
import { authenticate } from '../auth/authenticate.ts';
import { callerFor, workerIdFromHeader, type Caller } from '../caller.ts';
import { httpStatusOf, toDomainError, toErrorEnvelope } from '../errors.ts';
import type { AuthMode } from '../trpc.ts';

/** The caller of any request (REST or tRPC): authenticates, then names the actor. */
export async function callerOfRequest(
  access: AccessService,
  mode: AuthMode,
  request: FastifyRequest,
  connectionParams?: Record<string, unknown> | null,
): Promise<Caller> {
  const principal = await authenticate(access, mode, { authorization: request.headers.authorization, token: connectionParams?.token });
  return callerFor({ principal, requestId: request.id, workerId: workerIdFromHeader(request.headers['x-worker-id']) });
}

/**
 * Authenticates every request under /api before its body is read: 401 with
 * `WWW-Authenticate: Bearer` when a key is required or invalid. /healthz, /trpc (its
 * createContext authenticates) and the dashboard's files are not touched.
 */
export function registerRestAuthentication(app: FastifyInstance, opts: { access: AccessService; mode: AuthMode }): void {
  app.decorateRequest('caller', undefined);
  app.addHook('onRequest', async (request, reply) => {
    // The matched route's pattern, not the raw URL, so no spelling of a path slips past.
    const pattern = request.routeOptions.url;
    if (pattern === undefined || !pattern.startsWith('/api/')) return;
    try {
      request.caller = await callerOfRequest(opts.access, opts.mode, request);
    } catch (error) {
      const domain = toDomainError(error, 'authenticate the request');
      if (domain.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
      return reply.code(httpStatusOf(domain.code)).send(toErrorEnvelope(domain));
    }
  });
}
