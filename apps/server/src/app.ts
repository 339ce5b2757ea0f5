import { appRouter, createContextInner, scrapeJobsRoutes, type ScrapeJobManager } from '@scrape-jobs/api';
import type { Database } from '@scrape-jobs/db';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';

export interface AppOptions {
  db: Database;
  manager: ScrapeJobManager;
  bodyLimit: number;
  logLevel: string;
}

const fail = (error: string, details?: unknown) => ({ success: false, error, ...(details === undefined ? {} : { details }) });

/**
 * The HTTP host: REST under /api, tRPC under /trpc, /healthz. No rules and no SQL here —
 * only wiring, and turning transport errors (bad JSON, huge bodies) into the envelope.
 */
export async function buildApp({ db, manager, bodyLimit, logLevel }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: logLevel },
    bodyLimit,
    routerOptions: { maxParamLength: 500 },
  });

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

  app.get('/healthz', async (_request, reply) => {
    try {
      await db.ping();
      return { status: 'ok', database: db.kind };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', database: db.kind, error: (error as Error).message });
    }
  });

  await app.register(scrapeJobsRoutes, { manager });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) => {
        const worker = req.headers['x-worker-id'];
        const workerId = typeof worker === 'string' && worker ? worker : undefined;
        return createContextInner({ manager, workerId, caller: { actor: workerId ? `worker:${workerId}` : 'api' } });
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error, path }, 'tRPC error');
      },
    } satisfies FastifyTRPCPluginOptions<typeof appRouter>['trpcOptions'],
  });
  return app;
}
