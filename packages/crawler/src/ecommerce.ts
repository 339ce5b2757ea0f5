import type { JobStats } from '@scrape-jobs/domain';
import { sameProduct } from './extract/dedupe-products.ts';
import type { ExtractedProduct, PreviousProduct } from './types.ts';

const round2 = (n: number) => Math.round(n * 100) / 100;

function normalUrl(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return url;
  }
}

/** The distinct products of a crawl (by sku, else URL and name); a later sighting replaces an earlier one. */
export class ProductLedger {
  private readonly products: ExtractedProduct[] = [];
  private readonly bySku = new Map<string, number>();
  /** Bumped on every change, so summaries can be cached between changes. */
  version = 0;

  add(product: ExtractedProduct): void {
    this.version++;
    const at = product.sku ? this.bySku.get(product.sku) : this.products.findIndex((p) => sameProduct(p, product));
    if (at !== undefined && at >= 0) {
      this.products[at] = product;
      return;
    }
    if (product.sku) this.bySku.set(product.sku, this.products.length);
    this.products.push(product);
  }

  all(): readonly ExtractedProduct[] {
    return this.products;
  }
}

/** The user's `products` block over distinct products; priceRange only when some price is known. */
export function productsBlock(products: readonly ExtractedProduct[]): NonNullable<JobStats['products']> {
  const prices = products.map((p) => p.price).filter((p): p is number => p !== null);
  const categories = [...new Set(products.map((p) => p.category).filter((c): c is string => c !== null))].slice(0, 1000);
  return {
    total: products.length,
    inStock: products.filter((p) => p.availability === 'in_stock').length,
    outOfStock: products.filter((p) => p.availability === 'out_of_stock').length,
    categories,
    ...(prices.length > 0
      ? {
          priceRange: {
            // reduce, not Math.min(...prices): a large catalogue would overflow the argument list.
            min: prices.reduce((a, b) => Math.min(a, b)),
            max: prices.reduce((a, b) => Math.max(a, b)),
            average: round2(prices.reduce((a, b) => a + b, 0) / prices.length),
          },
        }
      : {}),
  };
}

/**
 * The previous job's products, indexed once: the inventory block is recomputed after every
 * page of a crawl that has them, and normalising every previous URL each time made a
 * re-crawl quadratic in URL parsing.
 */
export class PreviousProducts {
  readonly size: number;
  private readonly skus: ReadonlySet<string>;
  private readonly urls: ReadonlySet<string>;
  private readonly products: ReadonlyArray<{ sku: string | null; url: string }>;

  constructor(previous: readonly PreviousProduct[]) {
    this.products = previous.map((p) => ({ sku: p.sku, url: normalUrl(p.url) }));
    this.size = previous.length;
    this.skus = new Set(previous.map((p) => p.sku).filter((s): s is string => s !== null));
    this.urls = new Set(this.products.map((p) => p.url));
  }

  /**
   * The `inventory` block: `tracked` = products found now, `updated` = of those, the ones
   * the previous job had too, `new` = the others, `discontinued` = previous products not
   * found although their page was fetched again (a product whose page this crawl did not
   * reach is unknown, not discontinued).
   */
  inventory(current: readonly ExtractedProduct[], fetchedUrls: ReadonlySet<string>): NonNullable<JobStats['inventory']> {
    const skus = new Set(current.map((p) => p.sku).filter((s): s is string => s !== null));
    const urls = new Set(current.map((p) => p.url));
    const updated = current.filter((p) => (p.sku !== null && this.skus.has(p.sku)) || this.urls.has(p.url)).length;
    const found = (p: { sku: string | null; url: string }) => (p.sku !== null && skus.has(p.sku)) || urls.has(p.url);
    return {
      tracked: current.length,
      updated,
      new: current.length - updated,
      discontinued: this.products.filter((p) => !found(p) && fetchedUrls.has(p.url)).length,
    };
  }
}
