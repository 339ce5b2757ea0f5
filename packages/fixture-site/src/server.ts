import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestLog } from './request-log.ts';
import { route, siteForHost } from './routes.ts';

export interface FixtureSiteOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: '127.0.0.1';
  /** How long `/slow` waits before answering; default 2000. */
  slowMs?: number;
}

export interface RunningFixtureSite {
  /** `http://localhost:<port>`, the main shop. */
  url: string;
  port: number;
  /** `localhost:<port>`, as a job's domain. */
  domain: string;
  /** `http://<host>:<port>`; the host defaults to `localhost`. */
  origin(host?: string): string;
  requests: RequestLog;
  close(): Promise<void>;
}

/** Starts the fixture shop on loopback; it answers by Host header (see `siteForHost`). */
export async function startFixtureSite(options: FixtureSiteOptions = {}): Promise<RunningFixtureSite> {
  const requests = new RequestLog();
  const slowMs = options.slowMs ?? 2000;
  let port = 0;
  const server = createServer((req, res) => {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const host = hostHeader.replace(/:\d+$/, '');
    requests.record({
      method: req.method ?? 'GET',
      host,
      path: req.url ?? '/',
      userAgent: req.headers['user-agent'] ?? null,
      time: performance.timeOrigin + performance.now(),
    });
    const site = siteForHost(host);
    if (!site) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`Unknown host ${host}\n`);
      return;
    }
    route(site, hostHeader, req, res, { port, slowMs });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    domain: `localhost:${port}`,
    origin: (host = 'localhost') => `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
