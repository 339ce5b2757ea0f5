import { gunzipSync } from 'node:zlib';
import { load } from 'cheerio';

/** The locations one sitemap document lists: child sitemaps of an index, or page URLs. */
export interface SitemapDocument {
  sitemaps: string[];
  urls: string[];
}

/** Sitemap bytes: plain XML, or a gzipped `.xml.gz` served without Content-Encoding. */
export function readSitemap(body: Buffer, maxBytes: number): SitemapDocument {
  const xml = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body, { maxOutputLength: maxBytes }) : body;
  const $ = load(xml.toString('utf8'), { xml: true });
  const locs = (selector: string) =>
    $(selector)
      .map((_, el) => $(el).text().trim())
      .get()
      .filter((loc) => loc.length > 0);
  return { sitemaps: locs('sitemapindex > sitemap > loc'), urls: locs('urlset > url > loc') };
}
