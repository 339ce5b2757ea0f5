import type { ExtractedProduct } from '../types.ts';
import { textOf, type DomElement } from './page-elements.ts';
import { absoluteUrl, combineOffers, currencyCode, normalizeAvailability, parsePrice, text, type OfferFacts } from './product-fields.ts';

type Node = Record<string, unknown>;

const PRODUCT_TYPES = new Set(['product', 'individualproduct', 'productmodel', 'someproducts']);
const MAX_DEPTH = 12;

function types(node: Node): string[] {
  const t = node['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^(https?:\/\/schema\.org\/|schema:)/i, '').toLowerCase());
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : value);

/** Every Product node, through arrays, `@graph` and nesting (ItemList → ListItem → item). */
function collect(value: unknown, found: Node[], depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, depth + 1);
    return;
  }
  if (!isNode(value)) return;
  if (types(value).some((t) => PRODUCT_TYPES.has(t))) {
    found.push(value);
    return;
  }
  for (const child of Object.values(value)) collect(child, found, depth + 1);
}

function offerFacts(offer: Node): OfferFacts[] {
  const nested = offer.offers;
  if (types(offer).includes('aggregateoffer') && nested) {
    const inner = (Array.isArray(nested) ? nested : [nested]).filter(isNode).flatMap(offerFacts);
    if (inner.length > 0) return inner;
  }
  const spec = isNode(first(offer.priceSpecification)) ? (first(offer.priceSpecification) as Node) : {};
  return [
    {
      price: parsePrice(offer.price ?? offer.lowPrice ?? spec.price),
      currency: currencyCode(offer.priceCurrency ?? spec.priceCurrency),
      availability: normalizeAvailability(offer.availability),
    },
  ];
}

function imageOf(value: unknown, base: URL): string | null {
  const image = first(value);
  if (isNode(image)) return absoluteUrl(image.url ?? image.contentUrl, base);
  return absoluteUrl(image, base);
}

function nameOf(value: unknown): string | null {
  const v = first(value);
  return isNode(v) ? text(v.name) : text(v);
}

function toProduct(node: Node, page: URL): ExtractedProduct | null {
  const name = text(first(node.name));
  if (!name) return null;
  const offers = (Array.isArray(node.offers) ? node.offers : [node.offers]).filter(isNode);
  const facts = combineOffers(offers.flatMap(offerFacts));
  const offerUrl = offers.map((o) => absoluteUrl(o.url, page)).find((u) => u !== null);
  return {
    name,
    price: facts.price,
    currency: facts.currency,
    availability: facts.availability,
    category: nameOf(node.category),
    image: imageOf(node.image, page),
    url: absoluteUrl(node.url, page) ?? offerUrl ?? page.href,
    sku: text(node.sku) ?? text(node.productID) ?? text(node.mpn),
    source: 'json-ld',
  };
}

/** Products in the page's `<script type="application/ld+json">` blocks; a block that is not JSON is skipped. */
export function jsonLdProducts(scripts: readonly DomElement[], page: URL): ExtractedProduct[] {
  const nodes: Node[] = [];
  for (const el of scripts) {
    const raw = textOf(el).trim().replace(/^<!--/, '').replace(/-->$/, '');
    try {
      collect(JSON.parse(raw), nodes);
    } catch {
      // Invalid JSON-LD is common in the wild; the page's other markup still counts.
    }
  }
  return nodes.map((n) => toProduct(n, page)).filter((p): p is ExtractedProduct => p !== null);
}
