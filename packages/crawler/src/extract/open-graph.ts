import type { ExtractedProduct } from '../types.ts';
import type { DomElement } from './page-elements.ts';
import { absoluteUrl, currencyCode, normalizeAvailability, parsePrice, text } from './product-fields.ts';

const PRODUCT_OG_TYPES = new Set(['product', 'og:product', 'product.item', 'product.group']);

/**
 * The product an Open Graph page describes (`og:type` product), or none, from the page's
 * `<meta>` elements; `title` (the page's, whitespace collapsed) names it without og:title.
 */
export function openGraphProducts(metas: readonly DomElement[], title: string | null, page: URL): ExtractedProduct[] {
  // One pass over the page's meta tags (a selector per name would parse a selector each):
  // each name's content is that of the first tag naming it by property or name.
  const contents = new Map<string, string | undefined>();
  for (const el of metas) {
    for (const key of [el.attribs.property, el.attribs.name]) {
      if (key !== undefined && !contents.has(key)) contents.set(key, el.attribs.content);
    }
  }
  const meta = (...names: string[]): string | null => {
    for (const name of names) {
      const value = text(contents.get(name));
      if (value) return value;
    }
    return null;
  };
  if (!PRODUCT_OG_TYPES.has((meta('og:type') ?? '').toLowerCase())) return [];
  const name = meta('og:title') ?? title;
  if (!name) return [];
  return [
    {
      name,
      price: parsePrice(meta('product:price:amount', 'og:price:amount', 'product:sale_price:amount')),
      currency: currencyCode(meta('product:price:currency', 'og:price:currency')),
      availability: normalizeAvailability(meta('product:availability', 'og:availability')),
      category: meta('product:category'),
      image: absoluteUrl(meta('og:image', 'og:image:url', 'og:image:secure_url'), page),
      url: absoluteUrl(meta('og:url'), page) ?? page.href,
      sku: meta('product:retailer_item_id', 'product:sku'),
      source: 'open-graph',
    },
  ];
}
