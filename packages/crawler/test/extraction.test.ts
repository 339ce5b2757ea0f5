import { FIXTURE, pageTruth, type FixtureProduct, type SiteName } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { pageElements, type DomElement, type DomNode } from '../src/extract/page-elements.ts';
import { parseHtml, type ExtractedProduct } from '../src/index.ts';
import { crawlFixture, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

/** What the crawler should report for a fixture product seen on `origin`. */
function expectedProduct(p: FixtureProduct, origin: string, sourceForms: string[]): ExtractedProduct {
  return {
    name: p.name,
    price: p.price,
    currency: p.currency,
    availability: p.availability,
    category: p.category,
    image: `${origin}${p.image}`,
    url: `${origin}/product/${p.slug}`,
    sku: p.sku,
    source: sourceForms.some((f) => f.startsWith('json-ld')) ? 'json-ld' : sourceForms.includes('microdata') ? 'microdata' : 'open-graph',
  };
}

describe('extraction from the fixture', () => {
  it('finds on every page the links, images, documents and products the catalogue put there', async () => {
    const run = await crawlFixture(site(), { depth: 3, includeSubdomains: true, maxPages: 1000 });
    const ok = run.pages.filter((p) => p.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(25);
    for (const page of ok) {
      const url = new URL(page.url);
      const siteName: SiteName = url.hostname === 'shop.localhost' ? 'shop' : 'main';
      const truth = pageTruth(siteName, url.pathname);
      const forms = FIXTURE.sites[siteName].pages[url.pathname]!.products;
      expect({ url: page.url, links: page.links, images: page.images, documents: page.documents }).toEqual({
        url: page.url,
        links: truth.links,
        images: truth.images,
        documents: truth.documents,
      });
      expect(page.title).toBe(FIXTURE.sites[siteName].pages[url.pathname]!.title);
      const expected = truth.products.map((p) =>
        expectedProduct(
          p,
          url.origin,
          forms.filter((f) => f.sku === p.sku).map((f) => f.markup),
        ),
      );
      const bySku = (a: ExtractedProduct, b: ExtractedProduct) => a.sku!.localeCompare(b.sku!);
      expect([...page.products].sort(bySku), page.url).toEqual(expected.sort(bySku));
    }
    // Every markup form was met, and pages with two forms of one product reported it once.
    const sources = new Set(ok.flatMap((p) => p.products.map((x) => x.source)));
    expect(sources).toEqual(new Set(['json-ld', 'microdata', 'open-graph']));
    const twoForms = FIXTURE.products.filter((p) => p.markup.length > 1);
    expect(twoForms.length).toBeGreaterThanOrEqual(2);
    for (const p of twoForms) expect(ok.find((page) => page.url.endsWith(`/product/${p.slug}`))!.products).toHaveLength(1);
  });

  it('does not parse a PDF as a page', async () => {
    const run = await crawlFixture(site(), { startUrl: `${site().url}/docs/catalogue.pdf` }, 'single_page');
    expect(run.pages[0]).toMatchObject({ status: 200, title: null, links: 0, products: [], error: null });
    expect(run.pages[0]!.bytes).toBeGreaterThan(200);
  });
});

describe('parseHtml', () => {
  const page = new URL('https://shop.test/p/1');

  it('reads JSON-LD through @graph, arrays, ItemList nesting and AggregateOffer, skipping invalid blocks', () => {
    const html = `<html><head>
      <script type="application/ld+json">{ not json</script>
      <script type="application/ld+json">${JSON.stringify({
        '@context': 'https://schema.org',
        '@type': 'ItemList',
        itemListElement: [{ '@type': 'ListItem', item: { '@type': 'Product', name: 'Listed', sku: 'L1', offers: { '@type': 'AggregateOffer', lowPrice: '5.00', highPrice: '9', priceCurrency: 'eur' } } }],
      })}</script>
      <script type="application/ld+json">${JSON.stringify([
        { '@type': ['Product', 'Thing'], name: 'Multi', image: { '@type': 'ImageObject', url: '/m.png' }, offers: [{ price: 12, availability: 'OutOfStock' }, { price: '10', availability: 'http://schema.org/InStock' }] },
        { '@type': 'Organization', name: 'Not a product' },
      ])}</script>
    </head></html>`;
    const products = parseHtml(html, page).products;
    expect(products).toEqual([
      { name: 'Listed', price: 5, currency: 'EUR', availability: 'unknown', category: null, image: null, url: page.href, sku: 'L1', source: 'json-ld' },
      { name: 'Multi', price: 10, currency: null, availability: 'in_stock', category: null, image: 'https://shop.test/m.png', url: page.href, sku: null, source: 'json-ld' },
    ]);
  });

  it('reads microdata properties of the product, not of nested items', () => {
    const html = `<div itemscope itemtype="http://schema.org/Product">
      <div itemprop="brand" itemscope itemtype="http://schema.org/Brand"><span itemprop="name">BrandName</span></div>
      <span itemprop="name">Kettle</span>
      <div itemprop="offers" itemscope itemtype="http://schema.org/Offer"><span itemprop="price">€ 1.299,50</span><meta itemprop="priceCurrency" content="EUR"><link itemprop="availability" href="https://schema.org/SoldOut"></div>
    </div>`;
    expect(parseHtml(html, page).products).toEqual([
      { name: 'Kettle', price: 1299.5, currency: 'EUR', availability: 'out_of_stock', category: null, image: null, url: page.href, sku: null, source: 'microdata' },
    ]);
  });

  it('merges one product marked up in three forms, and keeps two different ones apart', () => {
    const html = `<html><head><meta property="og:type" content="product"><meta property="og:title" content="Lamp">
      <meta property="product:price:amount" content="20"><meta property="product:category" content="Lights">
      <script type="application/ld+json">{"@type":"Product","name":"Lamp","offers":{"price":"20.00","priceCurrency":"USD"}}</script></head>
      <body><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">lamp</span><link itemprop="availability" href="https://schema.org/InStock"></div>
      <div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Shade</span></div></body></html>`;
    const products = parseHtml(html, page).products;
    expect(products.map((p) => [p.name, p.source, p.price, p.currency, p.category, p.availability])).toEqual([
      ['Lamp', 'json-ld', 20, 'USD', 'Lights', 'in_stock'],
      ['Shade', 'microdata', null, null, null, 'unknown'],
    ]);
  });

  it('Open Graph: the first tag naming a property by property= or name= gives it; an empty one falls back to the next name', () => {
    const html = `<html><head><meta name="og:type" content="product"><meta property="og:title" content="First"><meta name="og:title" content="Second">
      <meta property="product:price:amount" content=" "><meta property="og:price:amount" content="12.5"><meta name="og:price:currency" content="eur">
      <title>Ignored</title></head><body></body></html>`;
    expect(parseHtml(html, page).products.map((p) => [p.name, p.price, p.currency, p.source])).toEqual([['First', 12.5, 'EUR', 'open-graph']]);
    expect(parseHtml('<html><head><meta property="og:type" content="website"><meta property="og:title" content="Blog"></head></html>', page).products).toEqual([]);
  });

  it('a link inside a schema.org Product item (at any depth) ranks as a product link; the same link outside does not', () => {
    const html = `<html><body><a href="/about">outside</a>
      <div itemscope itemtype="https://schema.org/Product"><section><p><a href="/about?from=product">deep inside</a></p></section></div>
      <a itemscope itemtype="http://schema.org/Product" href="/about?self=1">the item itself</a></body></html>`;
    expect(parseHtml(html, page).outLinks.map((l) => [l.url.search, l.priority])).toEqual([
      ['', 0],
      ['?from=product', 2],
      ['?self=1', 2],
    ]);
  });

  it('counts anchors with href, images with src and document links; resolves links against <base>', () => {
    const html = `<html><head><base href="https://cdn.shop.test/base/"></head><body>
      <a name="x">no href</a><a href="rel">relative</a><a href="mailto:a@b.c">mail</a><a href="/f.PDF">doc</a><a href="x.xlsx?v=1">sheet</a>
      <a href="#top">fragment</a><a href="/img.png">image link</a>
      <img src="/a.png"><img data-src="/lazy.png"><img src="">
    </body></html>`;
    const parsed = parseHtml(html, page);
    expect(parsed.links).toBe(6);
    expect(parsed.documents).toBe(2);
    expect(parsed.images).toBe(2);
    expect(parsed.outLinks.map((l) => l.url.href)).toEqual(['https://cdn.shop.test/base/rel', 'https://cdn.shop.test/base/']);
  });

  it('reads the elements as the CSS selectors would: the first <title> and <base href>, any case of the JSON-LD type, nothing from comments', () => {
    const html = `<html><head><base target="_top"><base href="/first/"><base href="/second/"><title> One
      title </title><title>Two</title>
      <script type="Application/LD+JSON">{"@type":"Product","name":"Upper","sku":"U"}</script>
      <script type="application/ld+json;x">{"@type":"Product","name":"Other type","sku":"O"}</script>
      <meta property="og:type" content="product"></head>
      <body><!-- <a href="/commented">no</a> --><A HREF="upper">upper case</A><img src="/i.png"><IMG SRC="/j.png"><img></body></html>`;
    const parsed = parseHtml(html, page);
    expect(parsed.title).toBe('One title');
    expect(parsed.outLinks.map((l) => l.url.href)).toEqual(['https://shop.test/first/upper']);
    expect(parsed.images).toBe(2);
    // The Open Graph product is named by the first title; the JSON-LD one is the same page's other product.
    expect(parsed.products.map((p) => [p.name, p.source])).toEqual([
      ['Upper', 'json-ld'],
      ['One title', 'open-graph'],
    ]);
  });

  it('walks a deeply nested page without running out of stack', () => {
    // Built by hand: parse5 itself takes seconds for this depth.
    const root: DomNode = { type: 'root', parent: null, children: [] };
    let parent = root;
    for (let i = 0; i < 200_000; i++) {
      const div: DomElement = { type: 'tag', name: 'div', attribs: {}, parent, children: [] };
      parent.children!.push(div);
      parent = div;
    }
    parent.children!.push({ type: 'tag', name: 'a', attribs: { href: '/deep' }, parent, children: [] } as DomElement);
    expect(pageElements(root).anchors.map((a) => a.attribs.href)).toEqual(['/deep']);
  });
});
