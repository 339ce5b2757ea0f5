import { describe, expect, it } from 'vitest';
import { crawlFixture, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

describe('politeness', () => {
  it('waits the job delay between two requests to one host, robots.txt included', async () => {
    const delay = 120;
    const run = await crawlFixture(site(), { delay, depth: 1, maxPages: 5 });
    const times = site().requests.forHost('localhost').map((e) => e.time);
    expect(times).toHaveLength(6);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(delay - 5);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(5 * delay);
  });

  it('does not wait when the delay is 0', async () => {
    const run = await crawlFixture(site(), { delay: 0, depth: 1, maxPages: 10 });
    expect(run.elapsedMs).toBeLessThan(1_000);
  });

  it('sends the configured user agent on every request', async () => {
    const userAgent = 'AcmeCrawler/3.1 (+https://acme.test/bot)';
    await crawlFixture(site(), { userAgent, depth: 2, includeSubdomains: true });
    const agents = new Set(site().requests.entries.map((e) => e.userAgent));
    expect(site().requests.entries.length).toBeGreaterThan(10);
    expect([...agents]).toEqual([userAgent]);
  });
});
