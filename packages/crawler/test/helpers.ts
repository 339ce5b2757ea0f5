import { defaultJobConfig, type JobConfig, type JobType } from '@scrape-jobs/domain';
import { FIXTURE, startFixtureSite, type ReachedPage, type RunningFixtureSite } from '@scrape-jobs/fixture-site';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { crawl, parseAllowList, type CrawlOptions, type CrawlOutcome, type PageResult } from '../src/index.ts';

/** The fixture's names and address: what CRAWL_ALLOW_HOSTS would say for it. */
export const FIXTURE_ALLOWED = parseAllowList('localhost,shop.localhost,127.0.0.1');

export function jobConfig(overrides: Partial<JobConfig> = {}): JobConfig {
  return { ...defaultJobConfig(), delay: 0, timeout: 5_000, ...overrides };
}

export interface CrawlRun extends CrawlOutcome {
  pages: PageResult[];
  progress: number;
  elapsedMs: number;
}

/** Crawls the fixture (allowed unless the options say otherwise) and collects the pages. */
export async function crawlFixture(
  site: RunningFixtureSite,
  config: Partial<JobConfig> = {},
  jobType: JobType = 'domain_scrape',
  options: Partial<CrawlOptions> = {},
): Promise<CrawlRun> {
  const pages: PageResult[] = [];
  let progress = 0;
  const started = performance.now();
  const outcome = await crawl({
    target: { domain: site.domain, job_type: jobType, config: jobConfig(config) },
    allowHosts: FIXTURE_ALLOWED,
    onPage: (page) => void pages.push(page),
    onProgress: () => void progress++,
    ...options,
  });
  return { ...outcome, pages, progress, elapsedMs: performance.now() - started };
}

/** The URL a crawler reports for an expected page (its final URL, after redirects). */
export function urlOf(site: RunningFixtureSite, page: Pick<ReachedPage, 'site' | 'finalPath'>): string {
  return `${site.origin(FIXTURE.sites[page.site].host)}${page.finalPath}`;
}

export const isDisallowed = (path: string) => FIXTURE.disallowedPaths.some((p) => path.startsWith(p));

/** One fixture server per test file, its request log emptied before each test. */
export function useFixtureSite(options: { slowMs?: number } = {}): () => RunningFixtureSite {
  let site: RunningFixtureSite;
  beforeAll(async () => {
    site = await startFixtureSite(options);
  });
  afterAll(() => site.close());
  beforeEach(() => site.requests.clear());
  return () => site;
}
