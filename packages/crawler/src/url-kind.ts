const PRODUCT_PATH = /\/(products?|items?|p|dp|sku)\/[^/]|\/product[-_]/i;
const CATEGORY_PATH = /\/(category|categories|collections?|departments?|c)\/[^/]|\/category[-_]/i;

/** What an anchor's surroundings say: its class and whether it sits inside a Product item. */
export interface AnchorHints {
  className?: string;
  insideProduct?: boolean;
}

/** 2 for what looks like a product page, 1 for a category page, 0 otherwise. */
export function pagePriority(url: URL, hints: AnchorHints = {}): number {
  if (PRODUCT_PATH.test(url.pathname) || hints.insideProduct || /\bproduct\b/i.test(hints.className ?? '')) return 2;
  if (CATEGORY_PATH.test(url.pathname) || /\b(category|collection)\b/i.test(hints.className ?? '')) return 1;
  return 0;
}
