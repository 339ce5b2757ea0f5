/** What a job crawls. `domain_scrape` is the default. */
export const JOB_TYPES = [
  'domain_scrape',
  'single_page',
  'sitemap_crawl',
  'product_catalog',
  'content_update',
] as const;
export type JobType = (typeof JOB_TYPES)[number];
