import type { FixtureLink, FixturePage, FixtureProduct, SiteName } from '../types.ts';
import { escapeHtml, htmlDocument, jsonLdScript } from './html.ts';
import { jsonLdArray, jsonLdGraph, jsonLdSingle, microdataProduct, openGraphProduct } from './product-markup.ts';

export interface RenderContext {
  /** `http://host:port` of the request, for absolute URLs inside markup. */
  origin: string;
  /** Absolute origin of another fixture site. */
  siteOrigin(site: SiteName): string;
  product(sku: string): FixtureProduct;
}

function href(link: FixtureLink, ctx: RenderContext): string {
  return typeof link === 'object' ? `${ctx.siteOrigin(link.site)}${link.path}` : link;
}

function linkText(link: FixtureLink): string {
  return typeof link === 'object' ? `${link.site}${link.path}` : link;
}

/**
 * The HTML of one fixture page. Every `<a href>` and `<img src>` comes from the page's
 * `links` and `images`, so their counts are the truth tests compare with; the decoys (an
 * anchor without href, a lazy image without src, an invalid JSON-LD block) must not count.
 */
export function renderPage(page: FixturePage, ctx: RenderContext): string {
  const byForm = (form: string) => page.products.filter((p) => p.markup === form).map((p) => ctx.product(p.sku));
  const microdata = byForm('microdata');
  const head: string[] = [`<link rel="canonical" href="${ctx.origin}${page.path}">`];
  for (const p of byForm('open-graph')) head.push(...openGraphProduct(p, ctx.origin));

  const scripts: string[] = [];
  const single = byForm('json-ld');
  if (single.length > 0) scripts.push(page.path.startsWith('/product/') && single.length === 1 ? jsonLdSingle(single[0]!, ctx.origin) : jsonLdArray(single, ctx.origin));
  for (const p of byForm('json-ld-offers-array')) scripts.push(jsonLdSingle(p, ctx.origin, true));
  const graph = byForm('json-ld-graph');
  if (graph.length > 0) scripts.push(jsonLdGraph(graph, ctx.origin, page.title));
  if (page.path === '/') scripts.push(jsonLdScript({ '@context': 'https://schema.org', '@type': 'Organization', name: 'Fixture Shop', url: `${ctx.origin}/` }));
  if (page.path === '/deals') scripts.push('<script type="application/ld+json">{ "@type": "Product", "name": broken </script>');

  const microdataImages = new Set(microdata.map((p) => p.image));
  const gallery = page.images.filter((src) => !microdataImages.has(src));
  return htmlDocument({
    title: page.title,
    head: [...head, ...scripts],
    body: [
      `<a name="top">${escapeHtml(page.title)}</a>`,
      '<nav><ul>',
      ...page.links.map((link) => `  <li><a href="${escapeHtml(href(link, ctx))}">${escapeHtml(linkText(link))}</a></li>`),
      '</ul></nav>',
      ...microdata.map(microdataProduct),
      '<section class="gallery">',
      ...gallery.map((src) => `  <img src="${escapeHtml(src)}" alt="">`),
      page.path === '/' ? '  <img data-src="/images/lazy.png" alt="lazy">' : '',
      '</section>',
    ],
  });
}
