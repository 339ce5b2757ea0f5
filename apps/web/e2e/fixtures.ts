/**
 * What every spec shares: the base URL of the server started by global-setup.ts, the
 * fixture shop's address, a small REST client for arranging jobs and checking what the
 * page shows against the API, screenshots into .test-artifacts/screenshots/, and a
 * clean-up that cancels every active job after each test (the worker has one slot).
 */
import { test as base, expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import type { JobHistoryEntry, JobStatsReport, ScrapeJob } from '@scrape-jobs/domain';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const siteUrl = new URL(process.env.E2E_SITE_URL ?? 'http://localhost:0');
export const site = {
  url: siteUrl.origin,
  /** `localhost:<port>` */
  domain: siteUrl.host,
  /** The same shop under another job domain, `127.0.0.1:<port>`. */
  altDomain: `127.0.0.1:${siteUrl.port}`,
};

const screenshots = fileURLToPath(new URL('../../../.test-artifacts/screenshots/', import.meta.url));
mkdirSync(screenshots, { recursive: true });

/** A full-page screenshot kept as an artifact (and attached to the report). */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = `${screenshots}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export class Api {
  constructor(private readonly request: APIRequestContext, private readonly base: string) {}

  private async call<T>(method: string, path: string, data?: unknown): Promise<T> {
    const response = await this.request.fetch(this.base + path, { method, ...(data === undefined ? {} : { data }) });
    const body = await response.json();
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${JSON.stringify(body)}`);
    return body.data as T;
  }

  async createJob(body: Record<string, unknown>): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/api/scrape-jobs', body)).id;
  }
  getJob = (id: string) => this.call<ScrapeJob>('GET', `/api/scrape-jobs/${id}`);
  history = (id: string) => this.call<JobHistoryEntry[]>('GET', `/api/scrape-jobs/${id}/history`);
  stats = (domain?: string) => this.call<JobStatsReport>('GET', `/api/scrape-jobs/stats${domain ? `?domain=${encodeURIComponent(domain)}` : ''}`);
  list = (query: string) => this.call<ScrapeJob[]>('GET', `/api/scrape-jobs?${query}`);
  cancel = (id: string, reason = 'e2e clean-up') => this.call('DELETE', `/api/scrape-jobs/${id}?reason=${encodeURIComponent(reason)}`);

  /** Waits until the job satisfies `predicate` (auto-retrying, no fixed sleeps). */
  async waitFor(id: string, predicate: (job: ScrapeJob) => boolean, timeout = 30_000): Promise<ScrapeJob> {
    let last: ScrapeJob | undefined;
    await expect
      .poll(async () => predicate((last = await this.getJob(id))), { timeout, intervals: [100, 200, 500], message: `job ${id} never matched` })
      .toBe(true);
    return last!;
  }

  /** Cancels every pending and running job, then waits for the worker to let go. */
  async cancelActive(): Promise<void> {
    const active = await this.list('status=pending,running&limit=500');
    for (const job of active) await this.cancel(job.id).catch(() => {});
    await expect.poll(async () => (await this.list('status=pending,running&limit=1')).length, { timeout: 15_000 }).toBe(0);
  }
}

/** A job long enough to watch and cancel: 200 pages, 400 ms apart. */
export const LONG_CRAWL = { depth: 5, maxPages: 200, delay: 400 };

export const test = base.extend<{ api: Api; cleanUp: void }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  api: async ({ request, baseURL }, use) => use(new Api(request, baseURL!)),
  cleanUp: [
    async ({ api }, use) => {
      await use();
      await api.cancelActive();
    },
    { auto: true },
  ],
});

export { expect };
