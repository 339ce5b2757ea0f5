import { jobStatsSchema } from '@scrape-jobs/domain';
import { describe, expect, it } from 'vitest';
import { crawlFixture, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('job statistics', () => {
  it('add up to the page results', async () => {
    const snapshots: number[] = [];
    const run = await crawlFixture(site(), { depth: 3, includeSubdomains: true, maxPages: 1000 }, 'domain_scrape', {
      onProgress: (stats) => void snapshots.push(stats.pagesProcessed!),
    });
    const { stats, pages } = run;
    const failed = pages.filter((p) => p.error !== null);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(stats.pagesProcessed).toBe(pages.length);
    expect(stats.successfulRequests! + stats.failedRequests!).toBe(stats.pagesProcessed);
    expect(stats.failedRequests).toBe(failed.length);
    expect(stats.totalPages).toBe(pages.length);
    expect(stats.bytesDownloaded).toBe(sum(pages.map((p) => p.bytes)));
    expect(stats.dataExtracted).toEqual({
      products: sum(pages.map((p) => p.products.length)),
      images: sum(pages.map((p) => p.images)),
      links: sum(pages.map((p) => p.links)),
      documents: sum(pages.map((p) => p.documents)),
    });
    expect(stats.avgResponseTime).toBeCloseTo(sum(pages.map((p) => p.responseTimeMs)) / pages.length, 0);
    expect(stats.totalProcessingTime).toBeGreaterThanOrEqual(Math.floor(sum(pages.map((p) => p.responseTimeMs))));
    expect(stats.errors!.map((e) => [e.url, e.error])).toEqual(failed.map((p) => [p.url, p.error]));
    expect(stats.errors!.every((e) => !Number.isNaN(Date.parse(e.timestamp)))).toBe(true);
    expect(stats.performance!.memoryUsage).toMatch(/^\d+MB$/);
    expect(stats.performance!.cpuUsage).toBeGreaterThan(0);
    expect(stats.performance!.networkLatency).toBeGreaterThan(0);
    expect(snapshots).toEqual(pages.map((_, i) => i + 1));
    // The stats are what the API accepts.
    expect(jobStatsSchema.safeParse(stats).success).toBe(true);
  });

  it('keep the newest 100 errors', async () => {
    const previousUrls = Array.from({ length: 130 }, (_, i) => `${site().url}/gone/${i}`);
    const run = await crawlFixture(site(), { maxPages: 1000 }, 'content_update', { previousUrls });
    expect(run.outcome).toBe('completed');
    expect(run.stats.failedRequests).toBe(130);
    expect(run.stats.errors).toHaveLength(100);
    expect(run.stats.errors!.at(-1)!.url).toBe(previousUrls.at(-1));
    expect(run.stats.errors![0]!.url).toBe(previousUrls[30]);
  });
});
