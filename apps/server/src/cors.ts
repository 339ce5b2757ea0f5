import type { FastifyInstance, FastifyReply } from 'fastify';

/** What the API's browser clients send: keys, JSON bodies, request ids, worker and claim headers, tRPC's own. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Request-ID', 'X-Worker-ID', 'X-Claim-Token', 'trpc-accept', 'Last-Event-ID'];
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** What a cross-origin script may read beyond the CORS-safelisted response headers. */
export const CORS_EXPOSED_HEADERS = ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-Request-ID'];
/** Browsers cache an answered preflight this long (seconds). */
const PREFLIGHT_MAX_AGE = 600;

const isCorsPath = (path: string) => /^\/(api|trpc)(\/|$)/.test(path);

/**
 * Cross-origin access to /api and /trpc for the configured origins only, compared exactly.
 * An allowed origin gets its own origin back (never `*`); any other gets no CORS headers, so
 * the browser keeps the answer from its script, and its preflight a 403 in the envelope.
 * Credentials are API keys in `Authorization`, not cookies, so no Allow-Credentials.
 */
export function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins);

  app.addHook('onRequest', async (request, reply) => {
    if (!isCorsPath(request.url.split('?')[0] ?? '/')) return;
    reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!allowed.has(origin)) {
      if (!preflight) return;
      return reply.code(403).send({ success: false, error: 'Cross-origin requests from this origin are not allowed', details: 'The server\u2019s CORS_ORIGINS does not list it' });
    }
    reply.header('access-control-allow-origin', origin);
    if (!preflight) return void reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
    return reply
      .code(204)
      .header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
      .header('access-control-allow-methods', CORS_ALLOWED_METHODS.join(', '))
      .header('access-control-allow-headers', CORS_ALLOWED_HEADERS.join(', '))
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .send();
  });

  // tRPC answers with a fetch Response whose own `Vary` would replace ours: add Origin to it.
  app.addHook('onSend', async (_request, reply: FastifyReply, payload) => {
    if (!(payload instanceof Response)) return payload;
    const ours = reply.getHeader('vary');
    const theirs = payload.headers.get('vary');
    if (typeof ours === 'string' && theirs && !/\borigin\b/i.test(theirs)) payload.headers.set('vary', `${theirs}, ${ours}`);
    return payload;
  });
}
