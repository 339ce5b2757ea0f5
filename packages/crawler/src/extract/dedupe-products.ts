import type { ExtractedProduct } from '../types.ts';

const normalName = (name: string) => name.toLowerCase().replace(/\s+/g, ' ').trim();

/** Same sku when both have one; otherwise the same URL and name. */
export function sameProduct(a: ExtractedProduct, b: ExtractedProduct): boolean {
  if (a.sku && b.sku) return a.sku === b.sku;
  return a.url === b.url && normalName(a.name) === normalName(b.name);
}

/**
 * One entry per product of a page that marks it up in more than one form: the first form
 * wins, later ones fill only what it left empty.
 */
export function mergeDuplicates(products: ExtractedProduct[]): ExtractedProduct[] {
  const merged: ExtractedProduct[] = [];
  for (const product of products) {
    const existing = merged.find((m) => sameProduct(m, product));
    if (!existing) {
      merged.push({ ...product });
      continue;
    }
    existing.price ??= product.price;
    existing.currency ??= product.currency;
    existing.category ??= product.category;
    existing.image ??= product.image;
    existing.sku ??= product.sku;
    if (existing.availability === 'unknown') existing.availability = product.availability;
  }
  return merged;
}
