import { expectedCrawl, FIXTURE } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { crawlFixture, isDisallowed, urlOf, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('robots.txt', () => {
  it('never fetches a disallowed URL and records every one it found', async () => {
    const run = await crawlFixture(site(), { depth: 3, includeSubdomains: true, maxPages: 1000 });
    const expected = expectedCrawl({ depth: 3, includeSubdomains: true });
    expect(site().requests.entries.filter((e) => isDisallowed(e.path))).toEqual([]);
    expect(run.blockedUrls).toEqual(expected.blocked.map((b) => urlOf(site(), { site: b.site, finalPath: b.path })));
    expect(run.blockedUrls.length).toBeGreaterThanOrEqual(4);
    // Each host's robots.txt was read once.
    expect(site().requests.entries.filter((e) => e.path === '/robots.txt').map((e) => e.host)).toEqual(['localhost', 'shop.localhost']);
  });

  it('fetches the disallowed pages when robots are not respected', async () => {
    const run = await crawlFixture(site(), { depth: 1, respectRobots: false });
    const expected = expectedCrawl({ depth: 1, respectRobots: false }).pages;
    expect(run.pages.map((p) => p.url)).toEqual(expected.map((p) => urlOf(site(), p)));
    expect(site().requests.entries.filter((e) => isDisallowed(e.path)).length).toBe(2);
    expect(site().requests.paths()).not.toContain('/robots.txt');
    expect(run.blockedUrls).toEqual([]);
  });

  it('fails the job, not retryable, when the start page is disallowed', async () => {
    const run = await crawlFixture(site(), { userAgent: `${FIXTURE.blockedAgent}/1.0` });
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'robots_blocked', retryable: false });
    expect(run.blockedUrls).toEqual([`${site().url}/`]);
    expect(site().requests.paths()).toEqual(['/robots.txt']);
    expect(run.stats.pagesProcessed).toBe(0);
  });

  it('fails a start URL under a disallowed path', async () => {
    const run = await crawlFixture(site(), { startUrl: `${site().url}/private/admin` });
    expect(run.error?.kind).toBe('robots_blocked');
    expect(site().requests.entries.filter((e) => isDisallowed(e.path))).toEqual([]);
  });

  it("honours the agent's Crawl-delay when it is larger than the job's delay", async () => {
    const { name, seconds } = FIXTURE.crawlDelayAgent;
    await crawlFixture(site(), { userAgent: `${name}/2.0`, delay: 10, depth: 1, maxPages: 4 });
    const times = site().requests.forHost('localhost').map((e) => e.time);
    expect(times).toHaveLength(5);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(seconds * 1000 - 5);
  });

  it('ignores Crawl-delay for other agents and when robots are not respected', async () => {
    await crawlFixture(site(), { userAgent: `${FIXTURE.crawlDelayAgent.name}/2.0`, respectRobots: false, depth: 1, maxPages: 4 });
    const times = site().requests.forHost('localhost').map((e) => e.time);
    expect(times).toHaveLength(4);
    expect(Math.max(...gaps(times))).toBeLessThan(FIXTURE.crawlDelayAgent.seconds * 1000);
  });
});
