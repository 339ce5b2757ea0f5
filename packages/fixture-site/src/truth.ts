import { FIXTURE } from './catalogue.ts';
import { isDocument, linkTarget, reachable, type Reach, type ReachOptions } from './reachable.ts';
import type { FixtureProduct, SiteName } from './types.ts';

/** The expected crawl of the fixture (see `reachable`) with the fixture's own rules. */
export function expectedCrawl(options: ReachOptions): Reach {
  return reachable(FIXTURE.sites, FIXTURE.documentExtensions, FIXTURE.disallowedPaths, options);
}

export interface PageTruth {
  links: number;
  images: number;
  documents: number;
  /** Distinct products on the page (one per sku, whatever the number of forms). */
  products: FixtureProduct[];
}

/** What an extractor should find on one page of the fixture. */
export function pageTruth(site: SiteName, path: string): PageTruth {
  const page = FIXTURE.sites[site].pages[path];
  if (!page) return { links: 0, images: 0, documents: 0, products: [] };
  const skus = [...new Set(page.products.map((p) => p.sku))];
  return {
    links: page.links.length,
    images: page.images.length,
    documents: page.links.filter((l) => {
      const target = linkTarget(site, l);
      return target !== null && isDocument(target.path, FIXTURE.documentExtensions);
    }).length,
    products: skus.map((sku) => FIXTURE.products.find((p) => p.sku === sku)!),
  };
}
