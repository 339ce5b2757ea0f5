import { expectedCrawl, FIXTURE } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { crawlFixture, urlOf, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

describe('breadth-first crawl', () => {
  it.each([0, 1, 2, 3])('fetches exactly the pages within depth %i, in breadth-first order', async (depth) => {
    const run = await crawlFixture(site(), { depth, maxPages: 1000 });
    const expected = expectedCrawl({ depth }).pages;
    expect(run.outcome).toBe('completed');
    expect(run.pages.map((p) => [p.url, p.depth, p.status])).toEqual(expected.map((p) => [urlOf(site(), p), p.depth, p.status]));
    expect(run.stats.pagesProcessed).toBe(expected.length);
    expect(run.stats.totalPages).toBe(expected.length);
  });

  it('follows the deep chain one level per hop from a start URL', async () => {
    const run = await crawlFixture(site(), { depth: 5, startUrl: `${site().url}/deep/1` });
    const expected = expectedCrawl({ start: '/deep/1', depth: 5 }).pages;
    expect(run.pages.map((p) => p.url)).toEqual(expected.map((p) => urlOf(site(), p)));
    expect(run.pages.filter((p) => p.url.includes('/deep/')).map((p) => p.depth)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.pages.some((p) => p.url.endsWith(`/deep/${FIXTURE.deepChainLength}`))).toBe(false);
  });

  it('stops at maxPages exactly, fetching no page beyond it', async () => {
    const maxPages = 137;
    const totals: number[] = [];
    const run = await crawlFixture(site(), { depth: 20, maxPages, startUrl: `${site().url}/catalog/page/1` }, 'domain_scrape', {
      onProgress: (stats) => void totals.push(stats.totalPages!),
    });
    // The catalogue is a binary tree, so breadth-first order is page 1, 2, 3, …
    expect(run.pages.map((p) => p.url)).toEqual(Array.from({ length: maxPages }, (_, i) => `${site().url}/catalog/page/${i + 1}`));
    expect(site().requests.paths().filter((p) => p.startsWith('/catalog/'))).toHaveLength(maxPages);
    expect(run.stats.pagesProcessed).toBe(maxPages);
    expect(run.stats.totalPages).toBe(maxPages);
    expect(Math.max(...totals)).toBeLessThanOrEqual(maxPages);
    expect(totals.every((t, i) => i === 0 || t >= totals[i - 1]!)).toBe(true);
  });

  it('reports a growing totalPages that counts queued pages while the crawl runs', async () => {
    const seen: Array<[number, number]> = [];
    await crawlFixture(site(), { depth: 2, maxPages: 1000 }, 'domain_scrape', {
      onProgress: (stats) => void seen.push([stats.pagesProcessed!, stats.totalPages!]),
    });
    const [processed, total] = seen[0]!;
    expect(processed).toBe(1);
    // After the home page, everything it links to (within scope and robots) is queued.
    expect(total).toBe(expectedCrawl({ depth: 1 }).pages.length);
    expect(seen.every(([p, t]) => t >= p)).toBe(true);
  });

  it('crawls a thousand generated pages as a small benchmark', async () => {
    const run = await crawlFixture(site(), { depth: 20, maxPages: 1000, startUrl: `${site().url}/catalog/page/1` });
    expect(run.stats.pagesProcessed).toBe(1000);
    expect(run.stats.successfulRequests).toBe(1000);
    expect(run.stats.dataExtracted!.images).toBe(1000);
    expect(run.elapsedMs).toBeLessThan(20_000);
  });
});
