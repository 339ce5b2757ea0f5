import type { FixtureProduct } from '../types.ts';
import { escapeHtml, jsonLdScript } from './html.ts';

const SCHEMA = 'https://schema.org';

function availabilityUrl(p: FixtureProduct): string {
  return p.availability === 'in_stock' ? `${SCHEMA}/InStock` : `${SCHEMA}/OutOfStock`;
}

function productUrl(p: FixtureProduct, origin: string): string {
  return `${origin}/product/${p.slug}`;
}

/** A schema.org Product object; `offersArray` adds a dearer second offer (the lowest is the price). */
export function jsonLdProduct(p: FixtureProduct, origin: string, offersArray = false): Record<string, unknown> {
  const offer = (price: number) => ({
    '@type': 'Offer',
    price: price.toFixed(2),
    priceCurrency: p.currency,
    availability: availabilityUrl(p),
    url: productUrl(p, origin),
  });
  return {
    '@type': 'Product',
    name: p.name,
    sku: p.sku,
    category: p.category,
    brand: { '@type': 'Brand', name: 'Fixture' },
    image: offersArray ? [`${origin}${p.image}`, `${origin}/images/products/${p.slug}-alt.png`] : `${origin}${p.image}`,
    url: productUrl(p, origin),
    offers: offersArray ? [offer(p.price + 10), offer(p.price)] : offer(p.price),
  };
}

export function jsonLdSingle(p: FixtureProduct, origin: string, offersArray = false): string {
  return jsonLdScript({ '@context': SCHEMA, ...jsonLdProduct(p, origin, offersArray) });
}

export function jsonLdArray(list: FixtureProduct[], origin: string): string {
  return jsonLdScript(list.map((p) => ({ '@context': SCHEMA, ...jsonLdProduct(p, origin) })));
}

/** Products inside an `@graph` next to the page and breadcrumb nodes, as many CMSs emit them. */
export function jsonLdGraph(list: FixtureProduct[], origin: string, title: string): string {
  return jsonLdScript({
    '@context': SCHEMA,
    '@graph': [
      { '@type': 'WebPage', name: title },
      { '@type': 'BreadcrumbList', itemListElement: [{ '@type': 'ListItem', position: 1, name: 'Home', item: `${origin}/` }] },
      ...list.map((p) => jsonLdProduct(p, origin)),
    ],
  });
}

/** Microdata with a nested Review scope first, whose `name` is not the product's. */
export function microdataProduct(p: FixtureProduct): string {
  const avail = availabilityUrl(p);
  return [
    `<div class="product" itemscope itemtype="${SCHEMA}/Product">`,
    `  <div itemprop="review" itemscope itemtype="${SCHEMA}/Review"><span itemprop="name">Great value</span> <span itemprop="author">A. Reviewer</span></div>`,
    `  <h1 itemprop="name">${escapeHtml(p.name)}</h1>`,
    `  <img itemprop="image" src="${p.image}" alt="${escapeHtml(p.name)}">`,
    `  <meta itemprop="sku" content="${p.sku}">`,
    `  <span itemprop="category">${escapeHtml(p.category)}</span>`,
    `  <link itemprop="url" href="/product/${p.slug}">`,
    `  <div itemprop="offers" itemscope itemtype="${SCHEMA}/Offer">`,
    `    <span itemprop="priceCurrency" content="${p.currency}">$</span><span itemprop="price" content="${p.price.toFixed(2)}">${p.price.toFixed(2)}</span>`,
    `    <link itemprop="availability" href="${avail}">${p.availability === 'in_stock' ? 'In stock' : 'Out of stock'}`,
    '  </div>',
    '</div>',
  ].join('\n');
}

/** Open Graph product tags; the availability words vary the way real shops vary them. */
export function openGraphProduct(p: FixtureProduct, origin: string): string[] {
  const words = p.availability === 'in_stock' ? (p.slug.length % 2 === 0 ? 'in stock' : 'instock') : p.slug.length % 2 === 0 ? 'oos' : 'out of stock';
  const tag = (property: string, content: string) => `<meta property="${property}" content="${escapeHtml(content)}">`;
  return [
    tag('og:type', 'product'),
    tag('og:title', p.name),
    tag('og:image', `${origin}${p.image}`),
    tag('og:url', productUrl(p, origin)),
    tag('product:price:amount', p.price.toFixed(2)),
    tag('product:price:currency', p.currency),
    tag('product:availability', words),
    tag('product:category', p.category),
    tag('product:retailer_item_id', p.sku),
  ];
}
