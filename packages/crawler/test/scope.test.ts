import { expectedCrawl, FIXTURE } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { parseAllowList } from '../src/index.ts';
import { crawlFixture, urlOf, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

describe('the crawl scope', () => {
  it('stays on the domain without includeSubdomains', async () => {
    const run = await crawlFixture(site(), { depth: 3, maxPages: 1000 });
    expect(site().requests.forHost('shop.localhost')).toEqual([]);
    expect(run.pages.every((p) => new URL(p.url).hostname === 'localhost')).toBe(true);
  });

  it('crawls the subdomains too with includeSubdomains', async () => {
    const run = await crawlFixture(site(), { depth: 3, includeSubdomains: true, maxPages: 1000 });
    const expected = expectedCrawl({ depth: 3, includeSubdomains: true }).pages;
    expect(run.pages.map((p) => p.url)).toEqual(expected.map((p) => urlOf(site(), p)));
    const shopPages = expected.filter((p) => p.site === 'shop').map((p) => p.finalPath);
    expect(shopPages.length).toBeGreaterThan(3);
    expect(site().requests.paths('shop.localhost')).toEqual(['/robots.txt', ...shopPages]);
  });

  it('does not treat the parent domain as in scope when crawling a subdomain', async () => {
    const sub = await crawlFixture({ ...site(), domain: `shop.localhost:${site().port}` }, { depth: 2, includeSubdomains: true });
    const expected = expectedCrawl({ site: 'shop', depth: 2, includeSubdomains: true }).pages;
    expect(sub.pages.map((p) => p.url)).toEqual(expected.map((p) => urlOf(site(), p)));
    expect(sub.pages.every((p) => new URL(p.url).hostname === 'shop.localhost')).toBe(true);
  });

  it('never looks up or fetches external links', async () => {
    const asked: string[] = [];
    await crawlFixture(site(), { depth: 2 }, 'domain_scrape', {
      resolve: async (host) => {
        asked.push(host);
        return ['127.0.0.1'];
      },
    });
    expect([...new Set(asked)]).toEqual(['localhost']);
  });

  it('crawls an IP literal with a port when the allow-list names the address', async () => {
    const domain = `127.0.0.1:${site().port}`;
    const run = await crawlFixture({ ...site(), domain }, { depth: 1, includeSubdomains: true }, 'domain_scrape', { allowHosts: parseAllowList('127.0.0.1') });
    const expected = expectedCrawl({ depth: 1 }).pages;
    expect(run.outcome).toBe('completed');
    // An IP has no subdomains: the link to shop.localhost stays out of scope.
    expect(run.pages.map((p) => p.url)).toEqual(expected.map((p) => `http://${domain}${p.finalPath}`));
    expect(site().requests.entries.every((e) => e.host === '127.0.0.1')).toBe(true);
    expect(run.stats.dataExtracted!.links).toBeGreaterThan(FIXTURE.sites.main.pages['/']!.links.length);
  });
});
