import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE, expectedCrawl, pageTruth, startFixtureSite, type RunningFixtureSite } from '../src/index.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET to the fixture with an explicit Host header (fetch may not set one). */
function get(site: RunningFixtureSite, path: string, host = 'localhost', userAgent = 'FixtureTest/1.0'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: site.port, path, headers: { host: `${host}:${site.port}`, 'user-agent': userAgent } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

let site: RunningFixtureSite;
beforeAll(async () => {
  site = await startFixtureSite({ slowMs: 150 });
});
afterAll(() => site.close());
beforeEach(() => site.requests.clear());

describe('the catalogue', () => {
  it('has products in and out of stock, in several categories and every markup form', () => {
    expect(FIXTURE.products.some((p) => p.availability === 'in_stock')).toBe(true);
    expect(FIXTURE.products.some((p) => p.availability === 'out_of_stock')).toBe(true);
    expect(new Set(FIXTURE.products.map((p) => p.category)).size).toBeGreaterThanOrEqual(3);
    const forms = new Set(FIXTURE.products.flatMap((p) => p.markup));
    for (const form of ['json-ld', 'json-ld-graph', 'json-ld-offers-array', 'microdata', 'open-graph']) expect(forms).toContain(form);
    expect(new Set(FIXTURE.products.map((p) => p.sku)).size).toBe(FIXTURE.products.length);
  });

  it('groups the main site by depth, with the deep chain one level per hop', () => {
    expect(FIXTURE.pagesByDepth[0]).toEqual(['/']);
    for (let n = 1; n <= FIXTURE.deepChainLength; n++) expect(FIXTURE.pagesByDepth[n]).toContain(`/deep/${n}`);
    const all = FIXTURE.pagesByDepth.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((p) => FIXTURE.disallowedPaths.some((d) => p.startsWith(d)))).toEqual([]);
  });

  it('lets robots and scope change the expected crawl', () => {
    const polite = expectedCrawl({ depth: 1 });
    const rude = expectedCrawl({ depth: 1, respectRobots: false });
    expect(polite.blocked.map((b) => b.path)).toEqual(['/private/admin', '/cart']);
    expect(rude.pages.length).toBe(polite.pages.length + 2);
    const wide = expectedCrawl({ depth: 1, includeSubdomains: true });
    expect(wide.pages.some((p) => p.site === 'shop')).toBe(true);
    expect(polite.pages.some((p) => p.site === 'shop')).toBe(false);
  });
});

describe('the server', () => {
  it('renders every link and image of a page from the catalogue', async () => {
    for (const [host, siteName, path] of [
      ['localhost', 'main', '/'],
      ['localhost', 'main', '/deals'],
      ['localhost', 'main', '/product/nimbus-speaker'],
      ['shop.localhost', 'shop', '/'],
    ] as const) {
      const html = (await get(site, path, host)).body.toString();
      const truth = pageTruth(siteName, path);
      expect(count(html, /<a(?=[^>]*\shref=)/g), `${host}${path} links`).toBe(truth.links);
      expect(count(html, /<img(?=[^>]*\ssrc=)/g), `${host}${path} images`).toBe(truth.images);
    }
  });

  it('dispatches on the Host header: 127.0.0.1 is the main shop, shop.localhost the subdomain, others 404', async () => {
    const main = (await get(site, '/', 'localhost')).body.toString();
    expect(main).toContain(`<title>${FIXTURE.sites.main.pages['/']!.title}</title>`);
    expect((await get(site, '/', '127.0.0.1')).body.toString()).toBe(main.replaceAll('localhost:', '127.0.0.1:').replaceAll('shop.127.0.0.1:', 'shop.localhost:'));
    const shop = await get(site, '/', 'shop.localhost');
    expect(shop.body.toString()).toContain(`<title>${FIXTURE.sites.shop.pages['/']!.title}</title>`);
    expect(shop.body.toString()).toContain(`href="${site.origin()}/"`);
    expect((await get(site, '/', 'other.localhost')).status).toBe(404);
  });

  it('logs every request with host, path, user agent and time', async () => {
    await get(site, '/about', 'localhost', 'LogBot/2');
    await get(site, '/nope?x=1', 'shop.localhost', 'LogBot/2');
    const [a, b] = site.requests.entries;
    expect(a).toMatchObject({ host: 'localhost', path: '/about', userAgent: 'LogBot/2', method: 'GET' });
    expect(b).toMatchObject({ host: 'shop.localhost', path: '/nope?x=1' });
    expect(b!.time).toBeGreaterThanOrEqual(a!.time);
    expect(site.requests.paths('shop.localhost')).toEqual(['/nope?x=1']);
  });

  it('serves robots.txt with the disallowed paths, a Crawl-delay group and the sitemap', async () => {
    const robots = (await get(site, '/robots.txt', 'shop.localhost')).body.toString();
    for (const path of FIXTURE.disallowedPaths) expect(robots).toContain(`Disallow: ${path}`);
    expect(robots).toContain(`User-agent: ${FIXTURE.crawlDelayAgent.name}\nCrawl-delay: ${FIXTURE.crawlDelayAgent.seconds}`);
    expect(robots).toContain(`Sitemap: ${site.origin('shop.localhost')}/sitemap.xml`);
  });

  it('serves a sitemap index of two sitemaps that list the catalogue', async () => {
    const index = (await get(site, '/sitemap.xml')).body.toString();
    const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    expect(index).toContain('<sitemapindex');
    const children = locs(index);
    expect(children).toEqual(FIXTURE.sites.main.sitemapIndex.map((p) => site.url + p));
    const listed = [];
    for (const child of children) listed.push(...locs((await get(site, new URL(child).pathname)).body.toString()));
    const expected = Object.values(FIXTURE.sites.main.sitemaps).flat().map((p) => site.url + p);
    expect(listed).toEqual(expected);
    expect(listed).toContain(`${site.url}/product/aurora-headphones`);
  });

  it('answers the special paths', async () => {
    expect((await get(site, '/missing-page')).status).toBe(404);
    const limited = await get(site, FIXTURE.special.rateLimited);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe(String(FIXTURE.retryAfterSeconds));
    expect((await get(site, FIXTURE.special.unavailable)).status).toBe(503);
    const started = performance.now();
    expect((await get(site, FIXTURE.special.slow)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect((await get(site, FIXTURE.special.large)).body.length).toBe(FIXTURE.largePageBytes);
    expect((await get(site, FIXTURE.special.redirectMetadata)).headers.location).toBe(FIXTURE.metadataUrl);
    const hop = await get(site, '/redirect/chain/1');
    expect(hop.status).toBe(301);
    expect(hop.headers.location).toBe('/redirect/chain/2');
  });

  it('serves a real PDF', async () => {
    const pdf = await get(site, '/docs/catalogue.pdf');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = pdf.body.toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    const xrefAt = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
  });
});
