/**
 * tRPC under one Fastify route, resolved by tRPC's own `resolveResponse` (what its adapters
 * call). It replaces `@trpc/server/adapters/fastify` for two costs that adapter pays on every
 * request (docs/benchmarks.md, API overhead, says where a tRPC request spends its time):
 * - it sends the answer as a web `Response`, which Fastify pipes from a ReadableStream in
 *   chunks (`Transfer-Encoding: chunked`, several writes); here a JSON answer is one body
 *   with a Content-Length. Streams (the SSE subscriptions) are still piped as they come.
 * - it aborts every request's signal when the response closes, finished or not, building an
 *   AbortError and running the abort listeners each time; here the signal fires only when
 *   the client goes away before the answer is complete (what a subscription waits for).
 * A GET of queries (what httpBatchLink sends) skips resolveResponse too: trpc-queries.ts.
 */
import type { AnyRouter, inferRouterContext, TRPCError } from '@trpc/server';
import { resolveResponse, type TRPCRequestInfo } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { answerQueries, planQueries } from './trpc-queries.ts';

export interface TrpcRouteOptions<TRouter extends AnyRouter> {
  /** e.g. `/trpc`: procedures answer at `<prefix>/<path>`. */
  prefix: string;
  router: TRouter;
  createContext: (opts: { req: FastifyRequest; res: FastifyReply; info: TRPCRequestInfo }) => Promise<inferRouterContext<TRouter>>;
  onError?: (opts: { error: TRPCError; path: string | undefined }) => void;
  /** `false`: every request through resolveResponse (the tests that compare both paths). Default `true`. */
  queryFastPath?: boolean | undefined;
}

/** tRPC reads only the path and the query, so the origin need not come from the Host header. */
const ORIGIN = 'http://localhost';

function fetchRequest(request: FastifyRequest, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    // A JSON body arrives as its text, a multipart one as the request stream (the parsers below).
    const body = request.body as string | IncomingMessage | undefined;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : (body as unknown as ReadableStream);
      init.duplex = 'half';
    }
  }
  return new Request(new URL(request.url, ORIGIN), init);
}

/** A complete JSON answer; anything else (an event stream, a chunked JSONL batch) is piped. */
const isBuffered = (response: Response) => response.headers.get('content-type') === 'application/json' && !response.headers.has('transfer-encoding');

export async function trpcRoute<TRouter extends AnyRouter>(app: FastifyInstance, opts: TrpcRouteOptions<TRouter>): Promise<void> {
  // The bodies go to tRPC as sent: it parses and validates them itself.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.removeContentTypeParser('multipart/form-data');
  app.addContentTypeParser('multipart/form-data', {}, (_request, body, done) => done(null, body));

  app.all(`${opts.prefix}/:path`, async (request, reply) => {
    const aborter = new AbortController();
    const raw = reply.raw;
    raw.once('close', () => {
      if (!raw.writableFinished) aborter.abort();
    });
    const path = (request.params as { path: string }).path;
    const plan = opts.queryFastPath === false ? undefined : planQueries(opts.router, path, request.method, request.url, request.headers);
    if (plan) {
      const answer = await answerQueries(plan, {
        router: opts.router,
        signal: aborter.signal,
        createContext: (info) => opts.createContext({ req: request, res: reply, info }),
        onError: opts.onError,
      });
      reply.code(answer.status);
      header(reply, 'content-type', 'application/json');
      header(reply, 'vary', 'trpc-accept, accept');
      return reply.send(answer.body);
    }
    const response = await resolveResponse({
      router: opts.router,
      req: fetchRequest(request, aborter.signal),
      path,
      error: null,
      createContext: ({ info }) => opts.createContext({ req: request, res: reply, info }),
      onError: ({ error, path }) => opts.onError?.({ error, path }),
    });
    if (!isBuffered(response)) return reply.send(response);
    const body = await response.text();
    reply.code(response.status);
    for (const [name, value] of response.headers) header(reply, name, value);
    return reply.send(body);
  });
}

/** tRPC's header on the reply. The CORS hook has already said `Vary: Origin`; tRPC's Vary comes first, as Fastify would put it. */
function header(reply: FastifyReply, name: string, value: string): void {
  const ours = name === 'vary' ? reply.getHeader('vary') : undefined;
  reply.header(name, typeof ours === 'string' ? `${value}, ${ours}` : value);
}
