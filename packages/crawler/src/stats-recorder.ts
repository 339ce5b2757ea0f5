import type { JobStats } from '@scrape-jobs/domain';
import { PreviousProducts, ProductLedger, productsBlock } from './ecommerce.ts';
import { ResourceUsage } from './resource-usage.ts';
import type { PageResult, PreviousProduct } from './types.ts';

const MAX_ERRORS = 100;
const round1 = (n: number) => Math.round(n * 10) / 10;

type StatsError = NonNullable<JobStats['errors']>[number];

/** Adds pages up into the user's stats object (standard and e-commerce blocks). */
export class StatsRecorder {
  private pages = 0;
  private successes = 0;
  private responseMsTotal = 0;
  private latencyMsTotal = 0;
  private latencySamples = 0;
  private bytes = 0;
  private readonly data = { products: 0, images: 0, links: 0, documents: 0 };
  private readonly errors: StatsError[] = [];
  private readonly ledger = new ProductLedger();
  private readonly fetched = new Set<string>();
  private readonly usage = new ResourceUsage();
  private readonly started = performance.now();
  private pending = 0;
  private cached: { version: number; products: JobStats['products']; inventory: JobStats['inventory'] } | null = null;

  private readonly previous: PreviousProducts;

  constructor(
    private readonly maxPages: number,
    previousProducts: readonly PreviousProduct[],
  ) {
    this.previous = new PreviousProducts(previousProducts);
  }

  get pagesProcessed(): number {
    return this.pages;
  }

  get successfulRequests(): number {
    return this.successes;
  }

  /** URLs still queued, for totalPages. */
  setPending(count: number): void {
    this.pending = count;
  }

  /** `requested` is the URL as queued, when a redirect made the page's URL another one. */
  addPage(page: PageResult, requested: string, latencyMs: number | null): void {
    this.pages++;
    if (page.error === null) this.successes++;
    else this.addError(page.url, page.error, page.fetchedAt);
    this.responseMsTotal += page.responseTimeMs;
    if (latencyMs !== null) {
      this.latencyMsTotal += latencyMs;
      this.latencySamples++;
    }
    this.bytes += page.bytes;
    this.data.products += page.products.length;
    this.data.images += page.images;
    this.data.links += page.links;
    this.data.documents += page.documents;
    for (const product of page.products) this.ledger.add(product);
    // Only `discontinued` reads them, and only against previous products.
    if (this.previous.size > 0) {
      this.fetched.add(page.url);
      this.fetched.add(requested);
    }
  }

  /** A failure that is not a page (a sitemap); the newest 100 are kept. */
  addError(url: string, error: string, timestamp = new Date().toISOString()): void {
    this.errors.push({ url: url.slice(0, 2048), error: error.slice(0, 1000), timestamp });
    if (this.errors.length > MAX_ERRORS) this.errors.shift();
  }

  /** `final`: the crawl's last stats, with the process's usage read now rather than up to a second ago. */
  snapshot(final = false): JobStats {
    const ecommerce = this.ecommerce();
    const usage = this.usage.sample(final ? 0 : 1000);
    return {
      pagesProcessed: this.pages,
      totalPages: Math.min(this.maxPages, this.pages + this.pending),
      successfulRequests: this.successes,
      failedRequests: this.pages - this.successes,
      avgResponseTime: this.pages > 0 ? round1(this.responseMsTotal / this.pages) : 0,
      totalProcessingTime: Math.round(performance.now() - this.started),
      bytesDownloaded: this.bytes,
      dataExtracted: { ...this.data },
      errors: [...this.errors],
      performance: {
        memoryUsage: usage.memory,
        cpuUsage: usage.cpuPercent,
        networkLatency: this.latencySamples > 0 ? round1(this.latencyMsTotal / this.latencySamples) : 0,
      },
      products: ecommerce.products,
      inventory: ecommerce.inventory,
    };
  }

  /**
   * The products block only when a product was added (onProgress takes a snapshot after every
   * page); the inventory likewise, but after every page when there are previous products,
   * since `discontinued` depends on the pages fetched.
   */
  private ecommerce(): { products: JobStats['products']; inventory: JobStats['inventory'] } {
    let cached = this.cached;
    if (!cached || cached.version !== this.ledger.version) {
      const products = this.ledger.all();
      cached = { version: this.ledger.version, products: productsBlock(products), inventory: this.previous.inventory(products, this.fetched) };
      this.cached = cached;
    } else if (this.previous.size > 0) {
      cached.inventory = this.previous.inventory(this.ledger.all(), this.fetched);
    }
    return { products: structuredClone(cached.products), inventory: { ...cached.inventory } };
  }
}
