import type { ExtractedProduct } from '../types.ts';

/** A trimmed non-empty string from a string or number; null otherwise. */
export function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed.length > 0 ? trimmed : null;
}

/**
 * A price from `19.99`, `"1,299.99"`, `"$ 89.50"` or `"89,50"`; null when there is none.
 * A lone comma followed by one or two digits is a decimal comma; otherwise commas group thousands.
 */
export function parsePrice(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const raw = text(value);
  if (!raw) return null;
  const match = /\d[\d.,\s]*/.exec(raw);
  if (!match) return null;
  let digits = match[0].replace(/\s/g, '').replace(/[.,]$/, '');
  if (/^\d+,\d{1,2}$/.test(digits)) digits = digits.replace(',', '.');
  else if (/^\d{1,3}(\.\d{3})+,\d{1,2}$/.test(digits)) digits = digits.replace(/\./g, '').replace(',', '.');
  else digits = digits.replace(/,/g, '');
  const n = Number(digits);
  return Number.isFinite(n) ? n : null;
}

const IN_STOCK = new Set(['instock', 'limitedavailability', 'onlineonly', 'instoreonly', 'available', 'availablefororder']);
const OUT_OF_STOCK = new Set(['outofstock', 'soldout', 'discontinued', 'oos', 'unavailable', 'backorder', 'notavailable']);

/** schema.org availability URLs and Open Graph words (`in stock`, `oos`, …) as one of three values. */
export function normalizeAvailability(value: unknown): ExtractedProduct['availability'] {
  const raw = text(value);
  if (!raw) return 'unknown';
  const word = raw.toLowerCase().replace(/^https?:\/\/schema\.org\//, '').replace(/^schema:/, '').replace(/[^a-z]/g, '');
  if (IN_STOCK.has(word)) return 'in_stock';
  if (OUT_OF_STOCK.has(word)) return 'out_of_stock';
  return 'unknown';
}

export function absoluteUrl(value: unknown, base: URL): string | null {
  const raw = text(value);
  if (!raw) return null;
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function currencyCode(value: unknown): string | null {
  const raw = text(value);
  return raw && /^[A-Za-z]{3}$/.test(raw) ? raw.toUpperCase() : raw;
}

/** One offer's facts, whatever the markup. */
export interface OfferFacts {
  price: number | null;
  currency: string | null;
  availability: ExtractedProduct['availability'];
}

/** The lowest price among the offers (with its currency); in stock if any offer is. */
export function combineOffers(offers: OfferFacts[]): OfferFacts {
  const priced = offers.filter((o) => o.price !== null).sort((a, b) => a.price! - b.price!);
  const cheapest = priced[0];
  const availability = offers.some((o) => o.availability === 'in_stock') ? 'in_stock' : offers.some((o) => o.availability === 'out_of_stock') ? 'out_of_stock' : 'unknown';
  return { price: cheapest?.price ?? null, currency: cheapest?.currency ?? offers.find((o) => o.currency)?.currency ?? null, availability };
}
