/** The two sites the server answers for: `localhost` (and `127.0.0.1`) and `shop.localhost`. */
export type SiteName = 'main' | 'shop';

/** The markup forms a product page carries; more than one form means the same product twice. */
export type ProductMarkup = 'json-ld' | 'json-ld-graph' | 'json-ld-offers-array' | 'microdata' | 'open-graph';

export interface FixtureProduct {
  site: SiteName;
  slug: string;
  sku: string;
  name: string;
  price: number;
  currency: string;
  availability: 'in_stock' | 'out_of_stock';
  /** The category's display name, as the markup states it. */
  category: string;
  /** Path of the product image on the product's site. */
  image: string;
  /** Forms on the product's own page, in the order they are rendered. */
  markup: ProductMarkup[];
}

export interface FixtureCategory {
  site: SiteName;
  slug: string;
  name: string;
}

/**
 * A link as a page renders it: a path on the same site (rendered relative), a path on the
 * other site (rendered absolute with the server's port), or an absolute URL that no crawl
 * should ever fetch (external, mailto).
 */
export type FixtureLink = string | { site: SiteName; path: string };

export interface FixturePage {
  path: string;
  title: string;
  /** Every `<a href>` of the page, in document order. */
  links: FixtureLink[];
  /** Every `<img src>` of the page. */
  images: string[];
  /** Products marked up on this page, by sku, and in which form. */
  products: Array<{ sku: string; markup: ProductMarkup }>;
  /** A redirect instead of a page: the status and the target path on the same site. */
  redirect?: { status: 301 | 302 | 307 | 308; to: string };
}

export interface FixtureSite {
  name: SiteName;
  /** The host name the site answers to (the port is the server's). */
  host: string;
  pages: Record<string, FixturePage>;
  /** Sitemap path → the paths it lists (a path listed here that is an index lists sitemaps). */
  sitemapIndex: string[];
  sitemaps: Record<string, string[]>;
}
