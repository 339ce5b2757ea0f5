import type { IncomingMessage, ServerResponse } from 'node:http';
import { FIXTURE } from './catalogue.ts';
import { htmlDocument } from './render/html.ts';
import { renderPage, type RenderContext } from './render/page.ts';
import { pdfDocument } from './render/pdf.ts';
import { robotsTxt } from './render/robots.ts';
import { sitemapIndexXml, urlSetXml } from './render/sitemap.ts';
import type { SiteName } from './types.ts';

export interface RouteContext {
  port: number;
  slowMs: number;
}

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** `localhost` and `127.0.0.1` are the main shop, `shop.localhost` the subdomain. */
export function siteForHost(host: string): SiteName | null {
  if (host === 'localhost' || host === '127.0.0.1') return 'main';
  if (host === FIXTURE.sites.shop.host) return 'shop';
  return null;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'content-type': type, 'content-length': String(buffer.length), ...headers });
  res.end(buffer);
}

const html = (res: ServerResponse, status: number, title: string, text: string, headers?: Record<string, string>) =>
  send(res, status, 'text/html; charset=utf-8', htmlDocument({ title, body: [`<h1>${title}</h1>`, `<p>${text}</p>`] }), headers);

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-length': '0' });
  res.end();
}

function streamLarge(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(FIXTURE.largePageBytes) });
  const chunk = Buffer.alloc(16 * 1024, 'x');
  let left = FIXTURE.largePageBytes;
  const write = () => {
    while (left > 0) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      if (!res.write(piece)) return void res.once('drain', write);
    }
    res.end();
  };
  write();
}

function special(path: string, req: IncomingMessage, res: ServerResponse, ctx: RouteContext): boolean {
  const s = FIXTURE.special;
  const retryAfter = { 'retry-after': String(FIXTURE.retryAfterSeconds) };
  switch (path) {
    case s.slow: {
      const timer = setTimeout(() => html(res, 200, 'Slow page', `Answered after ${ctx.slowMs} ms.`), ctx.slowMs);
      req.socket.once('close', () => clearTimeout(timer));
      return true;
    }
    case s.rateLimited:
      html(res, 429, 'Too many requests', 'Slow down.', retryAfter);
      return true;
    case s.unavailable:
      html(res, 503, 'Service unavailable', 'Down for maintenance.', retryAfter);
      return true;
    case s.serverError:
      html(res, 500, 'Server error', 'Something broke.');
      return true;
    case s.large:
      streamLarge(res);
      return true;
    case s.redirectLoop:
      redirect(res, 302, s.redirectLoop);
      return true;
    case s.redirectMetadata:
      redirect(res, 302, FIXTURE.metadataUrl);
      return true;
    case s.redirectLoopback:
      redirect(res, 302, `http://127.0.0.1:${ctx.port}/about`);
      return true;
    default:
      return false;
  }
}

/** Answers one request for `site`; `hostHeader` (with its port) makes absolute URLs. */
export function route(site: SiteName, hostHeader: string, req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void {
  const url = new URL(req.url ?? '/', 'http://fixture');
  const path = url.pathname;
  const origin = `http://${hostHeader}`;
  const data = FIXTURE.sites[site];

  if (path === '/robots.txt') {
    const body = robotsTxt({ disallowed: FIXTURE.disallowedPaths, crawlDelayAgent: FIXTURE.crawlDelayAgent, blockedAgent: FIXTURE.blockedAgent, sitemapUrl: `${origin}/sitemap.xml` });
    return send(res, 200, 'text/plain; charset=utf-8', body);
  }
  if (path === '/sitemap.xml') return send(res, 200, 'application/xml', sitemapIndexXml(data.sitemapIndex.map((p) => origin + p)));
  const sitemap = data.sitemaps[path];
  if (sitemap) return send(res, 200, 'application/xml', urlSetXml(sitemap.map((p) => origin + p)));
  if (special(path, req, res, ctx)) return;

  const documentType = FIXTURE.documents[path];
  if (documentType) return send(res, 200, documentType, documentType === 'application/pdf' ? pdfDocument(path) : 'size,chest,waist\nS,90,76\nM,98,84\n');
  if (path.startsWith('/images/')) return send(res, 200, 'image/png', PNG_1X1);

  const page = data.pages[path];
  if (!page) return html(res, 404, 'Not found', `Nothing at ${path}.`);
  if (page.redirect) return redirect(res, page.redirect.status, page.redirect.to);
  const render: RenderContext = {
    origin,
    siteOrigin: (other) => `http://${FIXTURE.sites[other].host}:${ctx.port}`,
    product: (sku) => FIXTURE.products.find((p) => p.sku === sku)!,
  };
  send(res, 200, 'text/html; charset=utf-8', renderPage(page, render));
}
