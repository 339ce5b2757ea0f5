import { FIXTURE } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { crawlFixture, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();
const round2 = (n: number) => Math.round(n * 100) / 100;

describe('the e-commerce block', () => {
  it('counts the distinct products of the whole shop', async () => {
    const run = await crawlFixture(site(), { depth: 3, includeSubdomains: true, maxPages: 1000 }, 'product_catalog');
    const prices = FIXTURE.products.map((p) => p.price);
    expect(run.stats.products).toEqual({
      total: FIXTURE.products.length,
      inStock: FIXTURE.products.filter((p) => p.availability === 'in_stock').length,
      outOfStock: FIXTURE.products.filter((p) => p.availability === 'out_of_stock').length,
      categories: expect.arrayContaining(FIXTURE.categories.map((c) => c.name)),
      priceRange: { min: Math.min(...prices), max: Math.max(...prices), average: round2(prices.reduce((a, b) => a + b, 0) / prices.length) },
    });
    expect(run.stats.products!.categories).toHaveLength(FIXTURE.categories.length);
    // /deals repeats products: the page counts include them, the distinct total does not.
    expect(run.stats.dataExtracted!.products).toBeGreaterThan(FIXTURE.products.length);
  });

  it('compares the inventory with the previous job', async () => {
    const mainProducts = FIXTURE.products.filter((p) => p.site === 'main');
    const kept = mainProducts.slice(0, 5);
    const previousProducts = [
      ...kept.map((p) => ({ url: `${site().url}/product/${p.slug}`, sku: p.sku, price: p.price + 1, availability: 'in_stock' })),
      // Its page is fetched again and answers 404: discontinued.
      { url: `${site().url}/product/retired-widget`, sku: 'OLD-1', price: 3, availability: 'in_stock' },
      // Its page is not part of this crawl: unknown, not discontinued.
      { url: `${site().url}/product/elsewhere`, sku: 'OLD-2', price: 4, availability: 'in_stock' },
    ];
    const previousUrls = [...mainProducts.map((p) => `${site().url}/product/${p.slug}`), `${site().url}/product/retired-widget`];
    const run = await crawlFixture(site(), {}, 'content_update', { previousUrls, previousProducts });
    expect(run.stats.inventory).toEqual({ tracked: mainProducts.length, updated: kept.length, new: mainProducts.length - kept.length, discontinued: 1 });
  });

  it('without a previous job, every product is new', async () => {
    const run = await crawlFixture(site(), { depth: 2 });
    expect(run.stats.inventory).toEqual({ tracked: run.stats.products!.total, updated: 0, new: run.stats.products!.total, discontinued: 0 });
    expect(run.stats.products!.total).toBeGreaterThan(0);
  });
});
