import { load } from 'cheerio';
import type { ExtractedProduct } from '../types.ts';
import { pagePriority } from '../url-kind.ts';
import { mergeDuplicates } from './dedupe-products.ts';
import { jsonLdProducts } from './json-ld.ts';
import { microdataProducts } from './microdata.ts';
import { openGraphProducts } from './open-graph.ts';

export const DOCUMENT_EXTENSIONS = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'csv', 'zip'];
/** Links to these are not pages: they are never queued. */
const ASSET_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'ico', 'bmp', 'avif', 'css', 'js', 'mjs', 'json', 'xml', 'rss', 'mp3', 'mp4', 'webm', 'mov', 'avi', 'woff', 'woff2', 'ttf', 'eot', 'gz', 'tar', 'rar', '7z', 'exe', 'dmg', 'apk', 'iso'];

function extension(url: URL): string {
  const last = url.pathname.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
}

export const isDocumentUrl = (url: URL) => DOCUMENT_EXTENSIONS.includes(extension(url));

/** A link worth queueing: its absolute URL (without fragment) and how product-like it looks. */
export interface OutLink {
  url: URL;
  priority: number;
}

export interface ParsedPage {
  title: string | null;
  products: ExtractedProduct[];
  images: number;
  links: number;
  documents: number;
  outLinks: OutLink[];
}

interface TreeNode {
  parent: TreeNode | null;
}

/** `node` itself or one of its ancestors is in `set` (as cheerio's closest() would match). */
function hasAncestorIn(node: TreeNode, set: Set<unknown>): boolean {
  for (let current: TreeNode | null = node; current; current = current.parent) if (set.has(current)) return true;
  return false;
}

/** Everything the crawler takes from one HTML page. */
export function parseHtml(html: string, pageUrl: URL): ParsedPage {
  const $ = load(html);
  let base = pageUrl;
  const baseHref = $('base[href]').first().attr('href');
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl);
    } catch {
      // An unusable <base> is ignored, as browsers do.
    }
  }
  const anchors = $('a[href]');
  // Found once, so that each link's "inside a product" is a walk up its parents, not a selector match at every level.
  const productScopes = new Set<unknown>($('[itemtype*="schema.org/Product" i]').toArray());
  let documents = 0;
  const outLinks: OutLink[] = [];
  anchors.each((_, el) => {
    const a = $(el);
    let url: URL;
    try {
      url = new URL(a.attr('href')!.trim(), base);
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    url.hash = '';
    if (isDocumentUrl(url)) {
      documents++;
      return;
    }
    if (ASSET_EXTENSIONS.includes(extension(url))) return;
    const insideProduct = productScopes.size > 0 && hasAncestorIn(el, productScopes);
    outLinks.push({ url, priority: pagePriority(url, { className: a.attr('class'), insideProduct }) });
  });
  const title = $('title').first().text().replace(/\s+/g, ' ').trim();
  return {
    title: title || null,
    products: mergeDuplicates([...jsonLdProducts($, pageUrl), ...microdataProducts($, pageUrl), ...openGraphProducts($, pageUrl)]),
    images: $('img[src]').length,
    links: anchors.length,
    documents,
    outLinks,
  };
}
