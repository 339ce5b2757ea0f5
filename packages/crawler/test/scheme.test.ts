import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../src/index.ts';
import { crawlFixture } from './helpers.ts';

/**
 * One port that tells the protocols apart by the first byte: a TLS ClientHello (0x16) is
 * counted and closed, as on an http-only server; anything else is served as HTTP.
 */
let front: TcpServer;
let http: Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  http = createHttpServer((req, res) => {
    seen.push(`http ${req.url}`);
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>plain</title><a href="/next">next</a>');
  });
  front = createTcpServer((socket) => {
    socket.once('data', (first) => {
      if (first[0] === 0x16) {
        seen.push('tls');
        socket.destroy();
        return;
      }
      socket.pause();
      socket.unshift(first);
      http.emit('connection', socket);
      socket.resume();
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  port = (front.address() as AddressInfo).port;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
});

const site = () => ({ domain: `localhost:${port}` }) as Parameters<typeof crawlFixture>[0];
const allowHosts = parseAllowList('localhost');

describe('the scheme of the start page', () => {
  it('tries https first and falls back to http when https cannot connect', async () => {
    seen.length = 0;
    const run = await crawlFixture(site(), { depth: 1 }, 'domain_scrape', { allowHosts });
    expect(seen).toEqual(['tls', 'http /robots.txt', 'http /', 'http /next']);
    expect(run.pages.map((p) => p.url)).toEqual([`http://localhost:${port}/`, `http://localhost:${port}/next`]);
  });

  it('does the same with the start page itself when robots.txt is not read', async () => {
    seen.length = 0;
    const run = await crawlFixture(site(), { depth: 0, respectRobots: false }, 'domain_scrape', { allowHosts });
    expect(seen).toEqual(['tls', 'http /']);
    expect(run.outcome).toBe('completed');
    expect(run.stats.pagesProcessed).toBe(1);
  });

  it('keeps the scheme of an explicit https startUrl', async () => {
    seen.length = 0;
    const run = await crawlFixture(site(), { startUrl: `https://localhost:${port}/` }, 'domain_scrape', { allowHosts });
    expect(run.error).toMatchObject({ kind: 'network', retryable: true });
    expect(seen).toEqual(['tls']);
  });
});
