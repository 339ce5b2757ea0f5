import { pagesByDepth } from './reachable.ts';
import type { FixtureCategory, FixtureLink, FixturePage, FixtureProduct, FixtureSite, SiteName } from './types.ts';

const categories: FixtureCategory[] = [
  { site: 'main', slug: 'electronics', name: 'Electronics' },
  { site: 'main', slug: 'clothing', name: 'Clothing' },
  { site: 'main', slug: 'home-garden', name: 'Home & Garden' },
  { site: 'shop', slug: 'outlet', name: 'Outlet' },
];

type ProductRow = [slug: string, sku: string, name: string, price: number, stock: boolean, category: string, markup: FixtureProduct['markup']];

const rows: ProductRow[] = [
  ['aurora-headphones', 'EL-001', 'Aurora Headphones', 129.99, true, 'electronics', ['json-ld']],
  ['nimbus-speaker', 'EL-002', 'Nimbus Speaker', 89.5, false, 'electronics', ['microdata']],
  ['pixel-camera', 'EL-003', 'Pixel Camera', 549, true, 'electronics', ['open-graph']],
  ['volt-charger', 'EL-004', 'Volt Charger', 19.99, true, 'electronics', ['json-ld', 'microdata']],
  ['trail-jacket', 'CL-001', 'Trail Jacket', 149, false, 'clothing', ['json-ld-graph']],
  ['linen-shirt', 'CL-002', 'Linen Shirt', 39.95, true, 'clothing', ['microdata']],
  ['wool-socks', 'CL-003', 'Wool Socks', 12.5, true, 'clothing', ['open-graph', 'json-ld']],
  ['rain-boots', 'CL-004', 'Rain Boots', 74, false, 'clothing', ['json-ld-offers-array']],
  ['cedar-planter', 'HG-001', 'Cedar Planter', 45, true, 'home-garden', ['json-ld']],
  ['copper-kettle', 'HG-002', 'Copper Kettle', 64.99, true, 'home-garden', ['microdata']],
  ['linen-throw', 'HG-003', 'Linen Throw', 58, false, 'home-garden', ['open-graph']],
  ['garden-shears', 'HG-004', 'Garden Shears', 24.99, true, 'home-garden', ['json-ld']],
  ['outlet-lamp', 'OU-001', 'Outlet Lamp', 15, true, 'outlet', ['json-ld']],
  ['outlet-rug', 'OU-002', 'Outlet Rug', 99, false, 'outlet', ['microdata']],
  ['outlet-mug', 'OU-003', 'Outlet Mug', 7.25, true, 'outlet', ['open-graph']],
];

const products: FixtureProduct[] = rows.map(([slug, sku, name, price, stock, categorySlug, markup]) => {
  const category = categories.find((c) => c.slug === categorySlug)!;
  return {
    site: category.site,
    slug,
    sku,
    name,
    price,
    currency: 'USD',
    availability: stock ? 'in_stock' : 'out_of_stock',
    category: category.name,
    image: `/images/products/${slug}.png`,
    markup,
  };
});

/** Products repeated on `/deals`: two in one JSON-LD `@graph`, one in a JSON-LD array. */
const deals = { graph: ['EL-001', 'CL-001'], array: ['HG-004'] };

const DEEP_CHAIN_LENGTH = 12;
const CATALOG_PAGES = 1500;
const DOCUMENT_EXTENSIONS = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'csv', 'zip'];
/** Documents the server answers with a real body; any other document link is broken. */
const documents: Record<string, 'application/pdf' | 'text/csv'> = {
  '/docs/catalogue.pdf': 'application/pdf',
  '/docs/terms.pdf': 'application/pdf',
  '/docs/size-chart.csv': 'text/csv',
};

function page(path: string, title: string, links: FixtureLink[], images: string[] = [], pageProducts: FixturePage['products'] = []): FixturePage {
  return { path, title, links, images, products: pageProducts };
}

function productPage(p: FixtureProduct): FixturePage {
  const category = categories.find((c) => c.name === p.category)!;
  return page(
    `/product/${p.slug}`,
    `${p.name} | Fixture Shop`,
    ['/', `/category/${category.slug}`, `/product/${p.slug}#reviews`, `/cart?add=${p.sku}`],
    [p.image, `/images/products/${p.slug}-thumb.png`],
    p.markup.map((markup) => ({ sku: p.sku, markup })),
  );
}

function categoryPage(c: FixtureCategory): FixturePage {
  const members = products.filter((p) => p.category === c.name);
  return page(
    `/category/${c.slug}`,
    `${c.name} | Fixture Shop`,
    ['/', ...members.map((p) => `/product/${p.slug}`)],
    members.map((p) => `/images/products/${p.slug}-thumb.png`),
  );
}

function mainPages(): FixturePage[] {
  const mainCategories = categories.filter((c) => c.site === 'main');
  const list: FixturePage[] = [
    page(
      '/',
      'Fixture Shop',
      [
        '/about',
        '/blog',
        '/deep/1',
        ...mainCategories.map((c) => `/category/${c.slug}`),
        '/deals',
        '/private/admin',
        '/cart',
        '/docs/catalogue.pdf',
        '/docs/size-chart.csv',
        '/missing-page',
        '/redirect/chain/1',
        { site: 'shop', path: '/' },
        'https://example.org/partners',
        'mailto:hello@fixture.test',
      ],
      ['/images/logo.png', '/images/banner.jpg'],
    ),
    page('/about', 'About us | Fixture Shop', ['/', '/blog', '/docs/terms.pdf', '/private/team'], ['/images/team.jpg']),
    page('/blog', 'Blog | Fixture Shop', ['/', '/blog/spring-sale', '/blog/new-arrivals']),
    page('/blog/spring-sale', 'Spring sale | Fixture Shop', ['/blog', '/deals', '/gone'], ['/images/blog/spring.jpg']),
    page('/blog/new-arrivals', 'New arrivals | Fixture Shop', ['/blog', '/product/pixel-camera', '/product/wool-socks', '/docs/lookbook.pdf']),
    page(
      '/deals',
      'Deals | Fixture Shop',
      ['/', ...[...deals.graph, ...deals.array].map((sku) => `/product/${products.find((p) => p.sku === sku)!.slug}`)],
      ['/images/deals.jpg'],
      [...deals.graph.map((sku) => ({ sku, markup: 'json-ld-graph' as const })), ...deals.array.map((sku) => ({ sku, markup: 'json-ld' as const }))],
    ),
    page('/private/admin', 'Admin', ['/']),
    page('/private/team', 'Team', ['/']),
    page('/cart', 'Cart', ['/']),
    page('/moved', 'Moved here | Fixture Shop', ['/']),
    ...mainCategories.map(categoryPage),
    ...products.filter((p) => p.site === 'main').map(productPage),
  ];
  for (let n = 1; n <= 3; n++) {
    list.push({ ...page(`/redirect/chain/${n}`, 'Redirect', []), redirect: { status: n === 1 ? 301 : 302, to: n === 3 ? '/moved' : `/redirect/chain/${n + 1}` } });
  }
  for (let n = 1; n <= DEEP_CHAIN_LENGTH; n++) {
    list.push(page(`/deep/${n}`, `Deep ${n}`, n < DEEP_CHAIN_LENGTH ? [`/deep/${n + 1}`, '/'] : ['/']));
  }
  // A binary tree of generated pages: page N links to 2N and 2N+1.
  for (let n = 1; n <= CATALOG_PAGES; n++) {
    const children = [2 * n, 2 * n + 1].filter((c) => c <= CATALOG_PAGES).map((c) => `/catalog/page/${c}`);
    list.push(page(`/catalog/page/${n}`, `Catalog page ${n}`, children, [`/images/catalog/${n}.png`]));
  }
  return list;
}

function shopPages(): FixturePage[] {
  const shopProducts = products.filter((p) => p.site === 'shop');
  return [
    page(
      '/',
      'Fixture Outlet',
      ['/category/outlet', ...shopProducts.map((p) => `/product/${p.slug}`), '/private/staff', { site: 'main', path: '/' }],
      ['/images/outlet-logo.png'],
    ),
    page('/private/staff', 'Staff', ['/']),
    ...categories.filter((c) => c.site === 'shop').map(categoryPage),
    ...shopProducts.map(productPage),
  ];
}

function site(name: SiteName, host: string, pages: FixturePage[]): FixtureSite {
  const listed = pages.filter((p) => !p.redirect && !p.path.startsWith('/catalog/') && !p.path.startsWith('/deep/') && p.path !== '/moved');
  return {
    name,
    host,
    pages: Object.fromEntries(pages.map((p) => [p.path, p])),
    sitemapIndex: ['/sitemaps/pages.xml', '/sitemaps/products.xml'],
    sitemaps: {
      '/sitemaps/pages.xml': listed.filter((p) => !p.path.startsWith('/product/')).map((p) => p.path),
      '/sitemaps/products.xml': listed.filter((p) => p.path.startsWith('/product/')).map((p) => p.path),
    },
  };
}

const sites: Record<SiteName, FixtureSite> = {
  main: site('main', 'localhost', mainPages()),
  shop: site('shop', 'shop.localhost', shopPages()),
};

/**
 * The whole fixture: every page, product and rule the server renders is generated from
 * this object, so tests compute their expectations from it instead of repeating numbers.
 */
export const FIXTURE = {
  sites,
  categories,
  products,
  documents,
  documentExtensions: DOCUMENT_EXTENSIONS,
  /** Prefixes robots.txt disallows for every agent (the same on both sites). */
  disallowedPaths: ['/private/', '/cart'],
  /** An agent with its own robots group and a `Crawl-delay` (seconds). */
  crawlDelayAgent: { name: 'SlowBot', seconds: 0.3 },
  /** An agent robots.txt disallows everything for. */
  blockedAgent: 'BlockedBot',
  deepChainLength: DEEP_CHAIN_LENGTH,
  catalogPages: CATALOG_PAGES,
  /** `/rate-limited` answers 429 and `/unavailable` 503, each with this `Retry-After`. */
  retryAfterSeconds: 7,
  /** Bytes of `/large`. */
  largePageBytes: 512 * 1024,
  /** Where `/redirect/metadata` points: a cloud metadata address no crawler may reach. */
  metadataUrl: 'http://169.254.169.254/latest/meta-data/',
  /** Paths with special behaviour, outside the link graph. */
  special: {
    slow: '/slow',
    rateLimited: '/rate-limited',
    unavailable: '/unavailable',
    serverError: '/server-error',
    large: '/large',
    redirectLoop: '/redirect/loop',
    redirectMetadata: '/redirect/metadata',
    redirectLoopback: '/redirect/loopback',
  },
  /** Main-site paths a robots-respecting crawl from `/` reaches, by link depth. */
  pagesByDepth: pagesByDepth(sites, DOCUMENT_EXTENSIONS, ['/private/', '/cart']),
};

export type Fixture = typeof FIXTURE;
