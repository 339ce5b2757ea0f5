/**
 * What every response says about itself (security headers, caching) and who may read it
 * from another origin (CORS), on the real app over HTTP: REST, tRPC, the JSON 404, and the
 * dashboard — a stand-in build, and the real apps/web build when it exists.
 */
import type { AppRouter } from '@scrape-jobs/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_DASHBOARD_DIR } from '../src/dashboard.ts';
import { API_CONTENT_SECURITY_POLICY, DASHBOARD_CONTENT_SECURITY_POLICY } from '../src/security-headers.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const ALLOWED = 'https://ops.example.com';
const OTHER = 'https://evil.example.net';

const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const headersOf = (response: Response) => Object.fromEntries(response.headers);

let server: TestServer;
let dashboardDir: string;

beforeAll(async () => {
  dashboardDir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  mkdirSync(join(dashboardDir, 'assets'));
  writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>Scrape Jobs</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(dashboardDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startTestServer('pglite', { corsOrigins: [ALLOWED], dashboardDir, rateLimits: { writesPerMinute: 100, workerPerMinute: 100 } });
});
afterAll(async () => {
  await server.close();
  rmSync(dashboardDir, { recursive: true, force: true });
});

describe('security headers', () => {
  test('API answers (REST, errors, the 404, /healthz, tRPC) carry them, a locked-down CSP and no-store', async () => {
    const trpcResponses: Response[] = [];
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${server.url}/trpc`, fetch: async (input, init) => (trpcResponses.push(await fetch(input, init)), trpcResponses.at(-1)!) })],
    });
    await client.scrapeJobs.list.query({});
    const answers = [
      await fetch(`${server.url}/api/scrape-jobs`),
      await fetch(`${server.url}/api/scrape-jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"domain":"shop.example.com"}' }),
      await fetch(`${server.url}/api/scrape-jobs/not-a-uuid`),
      await fetch(`${server.url}/api/nothing-here`),
      await fetch(`${server.url}/healthz`),
      await fetch(`${server.url}/trpc/scrapeJobs.get?input=${encodeURIComponent('{"id":"x"}')}`),
      trpcResponses[0]!,
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 201, 400, 404, 200, 400, 200]);
    for (const answer of answers) {
      expect(headersOf(answer)).toMatchObject({ ...COMMON, 'content-security-policy': API_CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' });
      expect(answer.headers.get('x-powered-by')).toBeNull();
      expect(answer.headers.get('server')).toBeNull();
    }
  });

  test('the dashboard carries them with its own CSP and keeps its caching', async () => {
    const page = await fetch(`${server.url}/jobs/123e4567-e89b-12d3-a456-426614174000`);
    const asset = await fetch(`${server.url}/assets/app.js`);
    for (const answer of [page, asset]) {
      expect(answer.status).toBe(200);
      expect(headersOf(answer)).toMatchObject({ ...COMMON, 'content-security-policy': DASHBOARD_CONTENT_SECURITY_POLICY });
    }
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
  });

  // The built page must need nothing the CSP refuses: no inline script or style, every
  // script and stylesheet from the same origin. (The e2e suite drives it under this CSP.)
  test.skipIf(!existsSync(join(DEFAULT_DASHBOARD_DIR, 'index.html')))('the real dashboard build needs nothing the CSP refuses', () => {
    const html = readFileSync(join(DEFAULT_DASHBOARD_DIR, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    for (const [, src] of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) expect(src!).toMatch(/^(\/(?!\/)|data:)/);
    expect(DASHBOARD_CONTENT_SECURITY_POLICY).toContain("img-src 'self' data:");
  });
});

describe('CORS', () => {
  test('an allowed origin gets its own origin back, Vary: Origin and the exposed headers, on REST and tRPC', async () => {
    for (const path of ['/api/scrape-jobs', `/trpc/scrapeJobs.list?input=${encodeURIComponent('{}')}`]) {
      const answer = await fetch(server.url + path, { headers: { origin: ALLOWED } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(answer.headers.get('vary')).toMatch(/\bOrigin\b/);
      expect(answer.headers.get('access-control-expose-headers')).toBe('RateLimit, RateLimit-Policy, Retry-After, X-Request-ID');
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  test('a preflight from an allowed origin is answered with the methods and headers the API uses', async () => {
    for (const path of ['/api/scrape-jobs/123e4567-e89b-12d3-a456-426614174000', '/trpc/scrapeJobs.create']) {
      const answer = await fetch(server.url + path, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type, x-claim-token' },
      });
      expect(answer.status).toBe(204);
      expect(headersOf(answer)).toMatchObject({
        'access-control-allow-origin': ALLOWED,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'Authorization, Content-Type, X-Request-ID, X-Worker-ID, X-Claim-Token, trpc-accept, Last-Event-ID',
        'access-control-max-age': '600',
      });
      expect(answer.headers.get('vary')).toMatch(/Origin/);
    }
  });

  test('another origin gets no CORS headers, and its preflight a clean 403 in the envelope', async () => {
    const simple = await fetch(`${server.url}/api/scrape-jobs`, { headers: { origin: OTHER } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('vary')).toMatch(/Origin/);
    // Exact match only: a look-alike, another scheme or port is another origin.
    for (const origin of [OTHER, 'http://ops.example.com', 'https://ops.example.com:8443', 'https://ops.example.com.evil.net', 'null']) {
      const preflight = await fetch(`${server.url}/api/scrape-jobs`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(preflight.status, origin).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(await preflight.json()).toEqual({
        success: false,
        error: 'Cross-origin requests from this origin are not allowed',
        details: 'The server\u2019s CORS_ORIGINS does not list it',
      });
    }
  });

  test('with no origins configured (the default) nobody gets cross-origin access', async () => {
    const closed = await startTestServer('pglite');
    try {
      const preflight = await fetch(`${closed.url}/trpc/scrapeJobs.create`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(403);
      const simple = await fetch(`${closed.url}/api/scrape-jobs`, { headers: { origin: ALLOWED } });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await closed.close();
    }
  });
});
