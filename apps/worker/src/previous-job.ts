import type { PageResultRecord, ScrapeJob } from '@scrape-jobs/domain';
import type { ServerClient } from './server-client.ts';

/** What the domain's last completed job saw: its URLs (content_update) and products (inventory). */
export interface PreviousCrawl {
  urls: string[];
  products: Array<{ url: string; sku: string | null; price: number | null; availability: string }>;
}

const MAX_PREVIOUS_PAGES = 10_000;
const PAGE_SIZE = 500;

export async function loadPreviousCrawl(client: ServerClient, job: ScrapeJob): Promise<PreviousCrawl> {
  const { jobs } = await client.scrapeJobs.list.query({ domain: job.domain, status: ['completed'], limit: 1, order_by: 'created_at', order_direction: 'desc' });
  const previous = jobs.find((j) => j.id !== job.id);
  const pages: PageResultRecord[] = [];
  if (previous) {
    for (let offset = 0; offset < MAX_PREVIOUS_PAGES; offset += PAGE_SIZE) {
      const batch = await client.scrapeJobs.results.query({ id: previous.id, limit: PAGE_SIZE, offset });
      pages.push(...batch.pages);
      if (!batch.pagination.has_more) break;
    }
  }
  return {
    urls: pages.filter((p) => p.status !== null && p.status < 400).map((p) => p.url),
    products: pages.flatMap((p) => p.products.map((product) => ({ url: product.url, sku: product.sku, price: product.price, availability: product.availability }))),
  };
}
