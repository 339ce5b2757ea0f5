import { FIXTURE } from '@scrape-jobs/fixture-site';
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { crawlFixture, useFixtureSite } from './helpers.ts';

const site = useFixtureSite({ slowMs: 5_000 });

/** Aborts after `afterMs` and resolves with how long the crawl took to return after that. */
async function abortDuring(config: Parameters<typeof crawlFixture>[1], afterMs: number) {
  const controller = new AbortController();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = performance.now();
    controller.abort();
  }, afterMs);
  const run = await crawlFixture(site(), config, 'domain_scrape', { signal: controller.signal });
  const lagMs = performance.now() - abortedAt;
  // Nothing goes on in the background once the crawl has returned.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const settled = site().requests.entries.length;
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { run, lagMs, laterRequests: site().requests.entries.length - settled };
}

describe('cancellation', () => {
  it('stops mid-crawl within 100 ms and returns the partial stats', async () => {
    const { run, lagMs, laterRequests } = await abortDuring({ depth: 20, maxPages: 1000, delay: 20, startUrl: `${site().url}/catalog/page/1` }, 400);
    expect(run.outcome).toBe('cancelled');
    expect(run.error).toBeNull();
    expect(lagMs).toBeLessThan(100);
    expect(laterRequests).toBe(0);
    // robots.txt, the pages, and at most the one request that was in flight.
    expect(site().requests.entries.length).toBeLessThanOrEqual(run.stats.pagesProcessed! + 2);
    expect(run.stats.pagesProcessed).toBe(run.pages.length);
    expect(run.stats.pagesProcessed).toBeGreaterThan(3);
    expect(run.stats.pagesProcessed).toBeLessThan(1000);
    expect(run.stats.totalPages).toBeGreaterThan(run.stats.pagesProcessed!);
  });

  it('aborts a request in flight', async () => {
    const { run, lagMs } = await abortDuring({ startUrl: site().url + FIXTURE.special.slow }, 200);
    expect(run.outcome).toBe('cancelled');
    expect(lagMs).toBeLessThan(100);
    expect(run.stats.pagesProcessed).toBe(0);
  });

  it('aborts the wait between two requests', async () => {
    const { run, lagMs } = await abortDuring({ delay: 10_000, depth: 1 }, 300);
    expect(run.outcome).toBe('cancelled');
    expect(lagMs).toBeLessThan(100);
    expect(site().requests.paths()).toEqual(['/robots.txt']);
  });

  it('carries on after timed-out and cut-off requests, and leaves no listener on the caller\'s signal', async () => {
    const controller = new AbortController();
    const url = (path: string) => `${site().url}${path}`;
    const previousUrls = [FIXTURE.special.slow, '/catalog/page/2', FIXTURE.special.large, `${FIXTURE.special.slow}?again`, '/catalog/page/3'].map(url);
    const run = await crawlFixture(site(), { timeout: 300, startUrl: url('/catalog/page/1') }, 'content_update', { signal: controller.signal, previousUrls, maxResponseBytes: 64 * 1024 });
    expect(run.outcome).toBe('completed');
    expect(run.pages.map((p) => [new URL(p.url).pathname + new URL(p.url).search, p.error === null ? 'ok' : p.error.split(' ')[0]])).toEqual([
      ['/catalog/page/1', 'ok'],
      [FIXTURE.special.slow, 'Request'],
      ['/catalog/page/2', 'ok'],
      [FIXTURE.special.large, 'Response'],
      [`${FIXTURE.special.slow}?again`, 'Request'],
      ['/catalog/page/3', 'ok'],
    ]);
    expect(run.pages[1]!.error).toMatch(/^Request timeout after 300 ms/);
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('does nothing with a signal aborted before the start', async () => {
    const run = await crawlFixture(site(), {}, 'domain_scrape', { signal: AbortSignal.abort() });
    expect(run.outcome).toBe('cancelled');
    expect(site().requests.entries).toEqual([]);
  });
});
