/**
 * Serves the built dashboard (apps/web/dist) at `/`, when it has been built: its files as
 * they are (hashed assets cached for a year, index.html never), and index.html for any other
 * GET path that no route answers and that is not the API (/api, /trpc, /healthz) nor a file
 * name, so the dashboard's own routes (/jobs/<id>, /stats?domain=…) survive a reload.
 *
 * There is deliberately no catch-all route: a `/*` route would also catch API paths the
 * router refuses (an over-long job id must stay a 400, an unknown API path the JSON 404).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** From apps/server/src (tests) and apps/server/dist (the bundle) alike. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** The API's paths, which never answer the dashboard. */
export const isApiPath = (path: string) => /^\/(api|trpc)(\/|$)/.test(path) || path === '/healthz';

export async function registerDashboard(app: FastifyInstance, root: string = DEFAULT_DASHBOARD_DIR): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    app.log.info({ root }, 'dashboard not built (pnpm --filter @scrape-jobs/web build); serving the API only');
    return;
  }
  // The top-level files (index.html, …): one route each, never cached.
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    globIgnore: ['assets/**'],
    cacheControl: false,
    setHeaders: (reply) => void reply.header('cache-control', 'no-cache'),
  });
  // Hashed bundles: whatever a rebuild puts there, cached for good.
  if (existsSync(join(root, 'assets'))) {
    await app.register(fastifyStatic, { root: join(root, 'assets'), prefix: '/assets/', decorateReply: false, maxAge: '365d', immutable: true });
  }
  // The SPA fallback: what would be a 404 becomes the dashboard, for its own paths only.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const path = request.url.split('?')[0] ?? '/';
    if (isApiPath(path) || extname(path) !== '') return;
    return reply.code(200).header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
