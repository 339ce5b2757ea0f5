import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerDashboard } from '../src/dashboard.ts';

/** The dashboard on a bare Fastify with the app's JSON 404, over a fake build. */
async function appWith(root: string): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 40 },
    frameworkErrors: (error, _request, reply) => void (reply as FastifyReply).code(400).send({ success: false, error: 'Invalid job id: must be a UUID', details: error.code }),
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ success: false, error: 'Not found', details: `${request.method} ${request.url}` }));
  app.get('/api/scrape-jobs', async () => ({ success: true, data: [] }));
  app.get('/api/scrape-jobs/:id', async (request) => ({ success: true, data: request.params }));
  await registerDashboard(app, root);
  return app;
}

describe('the dashboard at /', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Scrape Jobs</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = await appWith(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('index.html at / and, as the SPA fallback, at any dashboard path; never cached', async () => {
    for (const url of ['/', '/jobs/123e4567-e89b-12d3-a456-426614174000', '/stats?domain=example.com', '/index.html']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.body).toContain('<title>Scrape Jobs</title>');
    }
  });

  test('hashed assets are served and cached for good; a missing one is a 404', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/assets/gone.js' })).statusCode).toBe(404);
    // A rebuild while the server runs: its new bundles are served too.
    writeFileSync(join(dir, 'assets', 'index-def456.js'), 'console.log(2)');
    expect((await app.inject({ method: 'GET', url: '/assets/index-def456.js' })).body).toBe('console.log(2)');
  });

  test('the API keeps its own answers and its JSON 404s', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/scrape-jobs' })).json()).toEqual({ success: true, data: [] });
    for (const url of ['/api/nope', '/api', '/trpc/nope', '/healthz']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json()).toMatchObject({ success: false, error: 'Not found' });
    }
    expect((await app.inject({ method: 'POST', url: '/jobs' })).statusCode).toBe(404);
  });

  test('no catch-all route: an id the router refuses as too long stays the API’s 400', async () => {
    const r = await app.inject({ method: 'GET', url: `/api/scrape-jobs/${'a'.repeat(600)}` });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'Invalid job id: must be a UUID', details: 'FST_ERR_MAX_PARAM_LENGTH' });
  });

  test('nothing outside the build is reachable', async () => {
    for (const url of ['/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.body, url).not.toContain('"name"');
    }
  });

  test('without a build, the plugin adds nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dashboard-none-'));
    const bare = await appWith(empty);
    try {
      expect((await bare.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
