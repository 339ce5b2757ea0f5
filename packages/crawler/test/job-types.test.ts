import { expectedCrawl, FIXTURE } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { crawlFixture, isDisallowed, urlOf, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

const isProductOrCategory = (url: string) => /\/(product|category)\//.test(new URL(url).pathname);

describe('job types', () => {
  it('single_page fetches the start page only, whatever the depth', async () => {
    const run = await crawlFixture(site(), { depth: 5, maxPages: 100, startUrl: `${site().url}/deals` }, 'single_page');
    expect(run.pages.map((p) => p.url)).toEqual([`${site().url}/deals`]);
    expect(site().requests.paths()).toEqual(['/robots.txt', '/deals']);
    expect(run.stats.totalPages).toBe(1);
  });

  it('sitemap_crawl fetches the URLs of the sitemap index from robots.txt, minus the disallowed ones', async () => {
    const run = await crawlFixture(site(), { depth: 3, maxPages: 1000 }, 'sitemap_crawl');
    const listed = Object.values(FIXTURE.sites.main.sitemaps).flat();
    expect(run.outcome).toBe('completed');
    expect(run.pages.map((p) => p.url)).toEqual(listed.filter((p) => !isDisallowed(p)).map((p) => site().url + p));
    expect(run.blockedUrls).toEqual(listed.filter(isDisallowed).map((p) => site().url + p));
    expect(run.pages.every((p) => p.depth === 0)).toBe(true);
    const requested = site().requests.paths();
    expect(requested.slice(0, 4)).toEqual(['/robots.txt', '/sitemap.xml', ...FIXTURE.sites.main.sitemapIndex]);
    // Links are not followed: the deep chain is in no sitemap.
    expect(requested).not.toContain('/deep/1');
  });

  it('sitemap_crawl respects maxPages', async () => {
    const run = await crawlFixture(site(), { maxPages: 3 }, 'sitemap_crawl');
    expect(run.stats.pagesProcessed).toBe(3);
  });

  it('sitemap_crawl reads a sitemap given as startUrl', async () => {
    const path = FIXTURE.sites.main.sitemapIndex[1]!;
    const run = await crawlFixture(site(), { startUrl: site().url + path }, 'sitemap_crawl');
    expect(run.pages.map((p) => p.url)).toEqual(FIXTURE.sites.main.sitemaps[path]!.map((p) => site().url + p));
  });

  it('sitemap_crawl fails when the site has no sitemap', async () => {
    const run = await crawlFixture(site(), { startUrl: `${site().url}/no-sitemap.xml` }, 'sitemap_crawl');
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'http_4xx', retryable: false });
  });

  it('product_catalog fetches product and category pages before anything else', async () => {
    const maxPages = 10;
    const catalog = await crawlFixture(site(), { depth: 3, maxPages }, 'product_catalog');
    const plain = await crawlFixture(site(), { depth: 3, maxPages }, 'domain_scrape');
    expect(catalog.pages).toHaveLength(maxPages);
    expect(catalog.pages.slice(1).every((p) => isProductOrCategory(p.url))).toBe(true);
    expect(plain.pages.slice(1).every((p) => isProductOrCategory(p.url))).toBe(false);
    expect(catalog.stats.products!.total).toBeGreaterThan(plain.stats.products!.total!);
  });

  it('product_catalog still reaches every page within depth when the cap allows', async () => {
    const run = await crawlFixture(site(), { depth: 2, maxPages: 1000 }, 'product_catalog');
    const expected = expectedCrawl({ depth: 2 }).pages.map((p) => urlOf(site(), p));
    expect(new Set(run.pages.map((p) => p.url))).toEqual(new Set(expected));
  });

  it('content_update re-fetches the previous URLs and follows no links', async () => {
    const previousUrls = [`${site().url}/product/pixel-camera`, `${site().url}/category/clothing`, `${site().url}/discontinued-thing`, 'https://example.org/elsewhere'];
    const run = await crawlFixture(site(), { depth: 3 }, 'content_update', { previousUrls });
    expect(run.pages.map((p) => [p.url, p.status])).toEqual([
      [`${site().url}/`, 200],
      [previousUrls[0], 200],
      [previousUrls[1], 200],
      [previousUrls[2], 404],
    ]);
    expect(site().requests.paths()).toEqual(['/robots.txt', '/', '/product/pixel-camera', '/category/clothing', '/discontinued-thing']);
  });

  it('content_update without previous URLs crawls the domain', async () => {
    const run = await crawlFixture(site(), { depth: 1 }, 'content_update', { previousUrls: [] });
    expect(run.pages.map((p) => p.url)).toEqual(expectedCrawl({ depth: 1 }).pages.map((p) => urlOf(site(), p)));
  });
});
