const HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function sitemapIndexXml(urls: string[]): string {
  return [HEAD, `<sitemapindex xmlns="${NS}">`, ...urls.map((u) => `  <sitemap><loc>${escapeXml(u)}</loc></sitemap>`), '</sitemapindex>', ''].join('\n');
}

export function urlSetXml(urls: string[]): string {
  return [HEAD, `<urlset xmlns="${NS}">`, ...urls.map((u) => `  <url><loc>${escapeXml(u)}</loc><changefreq>daily</changefreq></url>`), '</urlset>', ''].join('\n');
}
