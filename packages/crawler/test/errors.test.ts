import { FIXTURE, startFixtureSite } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/index.ts';
import { crawlFixture, useFixtureSite } from './helpers.ts';

const site = useFixtureSite({ slowMs: 3_000 });
const start = (path: string) => ({ startUrl: site().url + path });

describe('a failing start page fails the job with a classified error', () => {
  it('429 with Retry-After is retryable, after the given time', async () => {
    const run = await crawlFixture(site(), start(FIXTURE.special.rateLimited));
    expect(run.outcome).toBe('failed');
    expect(run.error).toEqual({ kind: 'rate_limited', retryable: true, retryAfterMs: FIXTURE.retryAfterSeconds * 1000, message: expect.stringContaining('429') });
    expect(run.stats.failedRequests).toBe(1);
  });

  it('503 with Retry-After is a retryable server error', async () => {
    const run = await crawlFixture(site(), start(FIXTURE.special.unavailable));
    expect(run.error).toMatchObject({ kind: 'server', retryable: true, retryAfterMs: FIXTURE.retryAfterSeconds * 1000 });
  });

  it('500 is a retryable server error', async () => {
    const run = await crawlFixture(site(), start(FIXTURE.special.serverError));
    expect(run.error).toMatchObject({ kind: 'server', retryable: true });
    expect(run.error!.retryAfterMs).toBeUndefined();
  });

  it('404 is not retryable', async () => {
    const run = await crawlFixture(site(), start('/no-such-page'));
    expect(run.error).toMatchObject({ kind: 'http_4xx', retryable: false });
  });

  it('a slow answer is a retryable timeout', async () => {
    const run = await crawlFixture(site(), { ...start(FIXTURE.special.slow), timeout: 200 });
    expect(run.error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(run.elapsedMs).toBeLessThan(1_500);
  });

  it('a closed port is a retryable network error, after trying https and http', async () => {
    const closed = await startFixtureSite();
    await closed.close();
    const run = await crawlFixture(closed, {});
    expect(run.error).toMatchObject({ kind: 'network', retryable: true });
    expect(run.error!.message).toContain(`http://localhost:${closed.port}/robots.txt`);
  });

  it('an unknown host is a retryable DNS error', async () => {
    const run = await crawlFixture({ ...site(), domain: 'nowhere.invalid' }, {}, 'domain_scrape', {
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
      },
    });
    expect(run.error).toMatchObject({ kind: 'dns', retryable: true });
  });

  it('a startUrl off the domain or a domain with a path is invalid', async () => {
    expect((await crawlFixture(site(), { startUrl: 'http://example.org/' })).error).toMatchObject({ kind: 'invalid', retryable: false });
    expect((await crawlFixture({ ...site(), domain: 'localhost/path' }, {})).error).toMatchObject({ kind: 'invalid', retryable: false });
    expect(site().requests.entries).toEqual([]);
  });
});

describe('failures of other pages', () => {
  it('are recorded and do not fail the job', async () => {
    const run = await crawlFixture(site(), { depth: 1 });
    expect(run.outcome).toBe('completed');
    expect(run.stats.errors!.map((e) => new URL(e.url).pathname)).toEqual(['/missing-page']);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
