import { load } from 'cheerio';
import type { ExtractedProduct } from '../types.ts';
import { pagePriority } from '../url-kind.ts';
import { mergeDuplicates } from './dedupe-products.ts';
import { jsonLdProducts } from './json-ld.ts';
import { microdataProducts } from './microdata.ts';
import { openGraphProducts } from './open-graph.ts';
import { pageElements, textOf, type DomNode } from './page-elements.ts';

export const DOCUMENT_EXTENSIONS = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'csv', 'zip'];
const DOCUMENTS = new Set(DOCUMENT_EXTENSIONS);
/** Links to these are not pages: they are never queued. */
const ASSETS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'ico', 'bmp', 'avif', 'css', 'js', 'mjs', 'json', 'xml', 'rss', 'mp3', 'mp4', 'webm', 'mov', 'avi', 'woff', 'woff2', 'ttf', 'eot', 'gz', 'tar', 'rar', '7z', 'exe', 'dmg', 'apk', 'iso']);

/** The last path segment's extension, lower-case; '' without one (or for a dot file). */
function extension(url: URL): string {
  const path = url.pathname;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(dot + 1).toLowerCase() : '';
}

export const isDocumentUrl = (url: URL) => DOCUMENTS.has(extension(url));

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

/** `node` itself or one of its ancestors is in `set` (as cheerio's closest() would match). */
function hasAncestorIn(node: DomNode, set: Set<DomNode>): boolean {
  for (let current: DomNode | null = node; current; current = current.parent) if (set.has(current)) return true;
  return false;
}

/** Everything the crawler takes from one HTML page. */
export function parseHtml(html: string, pageUrl: URL): ParsedPage {
  const $ = load(html);
  const found = pageElements($._root as DomNode); // not $.root(): that would wrap it in a new selection
  let base = pageUrl;
  const baseHref = found.base?.attribs.href;
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl);
    } catch {
      // An unusable <base> is ignored, as browsers do.
    }
  }
  // A link's "inside a product" is a walk up its parents, not a selector match at every level.
  const productScopes = new Set<DomNode>(found.productScopes);
  let documents = 0;
  const outLinks: OutLink[] = [];
  for (const a of found.anchors) {
    let url: URL;
    try {
      url = new URL(a.attribs.href!.trim(), base);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    const ext = extension(url);
    if (DOCUMENTS.has(ext)) {
      documents++;
      continue;
    }
    if (ASSETS.has(ext)) continue;
    const insideProduct = productScopes.size > 0 && hasAncestorIn(a, productScopes);
    outLinks.push({ url, priority: pagePriority(url, { className: a.attribs.class, insideProduct }) });
  }
  const title = found.title ? textOf(found.title).replace(/\s+/g, ' ').trim() || null : null;
  return {
    title,
    products: mergeDuplicates([...jsonLdProducts(found.jsonLd, pageUrl), ...microdataProducts($, found.itemScopes, pageUrl), ...openGraphProducts(found.metas, title, pageUrl)]),
    images: found.images,
    links: found.anchors.length,
    documents,
    outLinks,
  };
}
