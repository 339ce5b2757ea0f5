import {
  accessRoutes,
  appRouter,
  callerOfRequest,
  createAccessService,
  createContextInner,
  createRateLimiter,
  registerRestAuthentication,
  registerRestRateLimits,
  sanitizeSentence,
  scrapeJobsRoutes,
  toDomainError,
  trpcCodeOf,
  webhooksRoutes,
  type AccessService,
  type AuthMode,
  type ScrapeJobManager,
  type WebhookManager,
} from '@scrape-jobs/api';
import type { Database } from '@scrape-jobs/db';
import { TRPCError } from '@trpc/server';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { registerCors } from './cors.ts';
import { registerDashboard } from './dashboard.ts';
import { requestLogSerializer } from './request-log.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { trpcRoute } from './trpc-route.ts';

export interface AppOptions {
  db: Database;
  manager: ScrapeJobManager;
  /** Webhook subscriptions (/api/webhooks, `webhooks.*`); without it those answer 404 / 503. */
  webhooks?: WebhookManager | undefined;
  bodyLimit: number;
  logLevel: string;
  /** `keys`: every /api and /trpc request needs an API key. Default `open`. */
  authMode?: AuthMode;
  /** Default: one on `db`. */
  access?: AccessService;
  /**
   * Requests per minute per API key (or client address) in each bucket; 0 or absent turns a
   * bucket off. main.ts passes the environment's (on by default); test servers pass none.
   */
  rateLimits?: { writesPerMinute?: number; workerPerMinute?: number; clock?: () => number } | undefined;
  /** Origins allowed cross-origin access to /api and /trpc; none when absent. */
  corsOrigins?: readonly string[] | undefined;
  /** The built dashboard; apps/web/dist when absent. */
  dashboardDir?: string | undefined;
  /** Where the log lines go; stdout when absent (tests read them from a stream of their own). */
  logStream?: NodeJS.WritableStream | undefined;
  /** Told of every route as it is added, so a test can prove each one is covered. */
  onRoute?: ((route: RouteOptions) => void) | undefined;
  /** `false`: tRPC queries through resolveResponse too (trpc-route.ts); for the test that compares both. */
  trpcQueryFastPath?: boolean | undefined;
}

/** The envelope for the transport's own refusals; `details` may quote a parser, so it is sanitised. */
const fail = (error: string, details?: string) => ({ success: false, error, ...(details === undefined ? {} : { details: sanitizeSentence(details) }) });

/**
 * The HTTP host: REST under /api, tRPC under /trpc, /healthz. No rules and no SQL here —
 * only wiring, and turning transport errors (bad JSON, huge bodies) into the envelope.
 */
export async function buildApp({ db, manager, webhooks, bodyLimit, logLevel, authMode = 'open', access = createAccessService({ db }), rateLimits, corsOrigins = [], dashboardDir, logStream, onRoute, trpcQueryFastPath }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // The request line is logged without the secrets a URL can carry (request-log.ts).
    logger: { level: logLevel, serializers: { req: requestLogSerializer }, ...(logStream ? { stream: logStream } : {}) },
    bodyLimit,
    // A caller's X-Request-ID (when it is a sane token) follows the request into the logs and
    // the audit trail; otherwise the server makes one. Either way the response carries it.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:@-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
    // The router's own rejections (an over-long or badly %-encoded path parameter) would
    // otherwise answer Fastify's bare JSON, not the envelope. The only REST parameter is a
    // job id, and a malformed id answers 400.
    frameworkErrors: (error, request, genericReply) => {
      const reply = genericReply as FastifyReply;
      if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        const sentence = request.url.startsWith('/api/') ? 'Invalid job id: must be a UUID' : 'Malformed request';
        return reply.code(400).send(fail(sentence, error.message));
      }
      const status = error.statusCode ?? 500;
      return reply.code(status).send(fail(status >= 500 ? 'Internal server error' : 'Malformed request', error.message));
    },
  });
  if (onRoute) app.addHook('onRoute', onRoute);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply.code(413).send(fail('Request body too large', `The limit is ${bodyLimit} bytes`));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.code(415).send(fail('Unsupported content type', 'Send JSON with Content-Type: application/json'));
    }
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send(fail('Request body is empty', 'Send a JSON object'));
    if (error.message.startsWith('Malformed JSON')) return reply.code(400).send(fail('Malformed JSON body', error.message));
    if (status >= 400 && status < 500) return reply.code(status).send(fail('Malformed request', error.message));
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(fail('Internal server error', error.message));
  });
  // A JSON body that is not valid JSON is the caller's mistake, said in words.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const invalid = Object.assign(new Error(`Malformed JSON: ${(error as Error).message}`), { statusCode: 400 });
      done(invalid, undefined);
    }
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(fail('Not found', `${request.method} ${request.url.split('?')[0]}`)));

  // Two kinds of connection never finish by themselves, so close() would wait for them and
  // SIGTERM would hang: server-sent event streams (tRPC subscriptions) and connections a
  // client opened but never sent a request on (an HTTP client's spare, a browser preconnect;
  // Node does not count those as idle). End both when the server starts closing; requests
  // in flight still finish.
  const eventStreams = new Set<FastifyReply['raw']>();
  const unusedSockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    unusedSockets.add(socket);
    socket.once('close', () => unusedSockets.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage) => unusedSockets.delete(request.socket));
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    const contentType = payload instanceof Response ? payload.headers.get('content-type') : reply.getHeader('content-type');
    if (typeof contentType === 'string' && contentType.startsWith('text/event-stream')) {
      const raw = reply.raw;
      eventStreams.add(raw);
      raw.once('close', () => eventStreams.delete(raw));
    }
    return payload;
  });
  app.addHook('preClose', async () => {
    for (const raw of eventStreams) raw.destroy();
    for (const socket of unusedSockets) socket.destroy();
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await db.ping();
      return { status: 'ok', database: db.kind };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', database: db.kind, error: sanitizeSentence((error as Error).message) });
    }
  });

  registerSecurityHeaders(app);
  registerCors(app, corsOrigins);
  const limiter = createRateLimiter({
    limits: { writes: rateLimits?.writesPerMinute ?? 0, worker: rateLimits?.workerPerMinute ?? 0 },
    clock: rateLimits?.clock,
  });
  registerRestAuthentication(app, { access, mode: authMode });
  registerRestRateLimits(app, limiter);

  await app.register(scrapeJobsRoutes, { manager });
  await app.register(accessRoutes, { access });
  if (webhooks) await app.register(webhooksRoutes, { webhooks });
  // In a scope of its own: tRPC takes the request bodies unparsed (trpc-route.ts).
  await app.register(async (scope) =>
    trpcRoute(scope, {
      prefix: '/trpc',
      router: appRouter,
      queryFastPath: trpcQueryFastPath,
      // The key comes in the Authorization header, or for an SSE subscription from a browser
      // (EventSource cannot send headers) in httpSubscriptionLink's connectionParams.token.
      createContext: async ({ req, res, info }) => {
        try {
          const caller = await callerOfRequest(access, authMode, req, info.connectionParams);
          return createContextInner({
            manager,
            access,
            caller,
            authMode,
            rateLimiter: limiter,
            clientIp: req.ip,
            setHeader: (name, value) => void res.header(name, value),
            webhooks,
          });
        } catch (error) {
          // Thrown here, a DomainError would be a 500: say it as the code the error map gives it.
          const domain = toDomainError(error, 'authenticate the request');
          throw new TRPCError({ code: trpcCodeOf(domain.code), message: domain.message, cause: domain });
        }
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error, path }, 'tRPC error');
      },
    }),
  );
  // The web dashboard at / (only when apps/web has been built); see dashboard.ts.
  await registerDashboard(app, dashboardDir);
  return app;
}
