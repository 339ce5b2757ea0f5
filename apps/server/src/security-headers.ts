import type { FastifyInstance } from 'fastify';
import { isApiPath } from './dashboard.ts';

/** JSON and event streams: nothing may be loaded, framed or cached. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The built dashboard (apps/web/dist): one module script and one stylesheet from /assets,
 * no inline script or style (React sets styles through the DOM, which CSP allows), a data:
 * favicon, and tRPC over fetch and EventSource to the same origin.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const ALWAYS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Security headers on every response, the 404s and errors included. API answers are never
 * stored by caches (they carry job data and, with keys, per-key state); the dashboard's
 * files keep the caching dashboard.ts gives them.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const api = isApiPath(request.url.split('?')[0] ?? '/');
    reply.headers(ALWAYS);
    reply.header('content-security-policy', api ? API_CONTENT_SECURITY_POLICY : DASHBOARD_CONTENT_SECURITY_POLICY);
    if (api) reply.header('cache-control', 'no-store');
    return payload;
  });
}
