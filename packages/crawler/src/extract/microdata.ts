import type { Cheerio, CheerioAPI } from 'cheerio';
import type { ExtractedProduct } from '../types.ts';
import type { DomElement } from './page-elements.ts';
import { absoluteUrl, combineOffers, currencyCode, normalizeAvailability, parsePrice, text, type OfferFacts } from './product-fields.ts';

type Nodes = Cheerio<any>;

const PRODUCT_TYPE = /^https?:\/\/schema\.org\/(Product|IndividualProduct|ProductModel|SomeProducts)$/i;
const URL_ATTRIBUTE: Record<string, string> = { a: 'href', area: 'href', link: 'href', img: 'src', audio: 'src', video: 'src', source: 'src', iframe: 'src', embed: 'src', object: 'data' };

/** A property's value per the microdata spec: content, a URL attribute, datetime, value, or the text. */
function propertyValue($: CheerioAPI, el: Nodes): string | null {
  const content = el.attr('content');
  if (content !== undefined) return text(content);
  const tag = (el.prop('tagName') as string | undefined)?.toLowerCase() ?? '';
  const urlAttr = URL_ATTRIBUTE[tag];
  if (urlAttr) return text(el.attr(urlAttr));
  if (tag === 'time') return text(el.attr('datetime') ?? el.text());
  if (tag === 'data' || tag === 'meter') return text(el.attr('value'));
  return text(el.text());
}

/** The elements carrying `name` as a property of exactly this item (not of a nested item). */
function properties($: CheerioAPI, scope: Nodes, name: string): Nodes[] {
  const own: Nodes[] = [];
  scope.find('[itemprop]').each((_, el) => {
    const node = $(el);
    const names = (node.attr('itemprop') ?? '').split(/\s+/);
    if (!names.includes(name)) return;
    if (node.parent().closest('[itemscope]').get(0) === scope.get(0)) own.push(node);
  });
  return own;
}

function value($: CheerioAPI, scope: Nodes, name: string): string | null {
  for (const el of properties($, scope, name)) {
    if (el.is('[itemscope]')) continue;
    const v = propertyValue($, el);
    if (v) return v;
  }
  return null;
}

function offerFacts($: CheerioAPI, scope: Nodes): OfferFacts {
  return {
    price: parsePrice(value($, scope, 'price') ?? value($, scope, 'lowPrice')),
    currency: currencyCode(value($, scope, 'priceCurrency')),
    availability: normalizeAvailability(value($, scope, 'availability')),
  };
}

/** Of the page's `[itemscope][itemtype]` elements, the Products and their own (not nested) properties. */
export function microdataProducts($: CheerioAPI, itemScopes: readonly DomElement[], page: URL): ExtractedProduct[] {
  const products: ExtractedProduct[] = [];
  for (const el of itemScopes) {
    const scope = $(el as never);
    if (!(scope.attr('itemtype') ?? '').split(/\s+/).some((t) => PRODUCT_TYPE.test(t))) continue;
    const name = value($, scope, 'name');
    if (!name) continue;
    const offers = properties($, scope, 'offers').filter((o) => o.is('[itemscope]'));
    const facts = combineOffers(offers.length > 0 ? offers.map((o) => offerFacts($, o)) : [offerFacts($, scope)]);
    const category = properties($, scope, 'category')[0];
    products.push({
      name,
      price: facts.price,
      currency: facts.currency,
      availability: facts.availability,
      category: category ? (category.is('[itemscope]') ? value($, category, 'name') : propertyValue($, category)) : null,
      image: absoluteUrl(value($, scope, 'image'), page),
      url: absoluteUrl(value($, scope, 'url'), page) ?? page.href,
      sku: value($, scope, 'sku') ?? value($, scope, 'productID') ?? value($, scope, 'mpn'),
      source: 'microdata',
    });
  }
  return products;
}
