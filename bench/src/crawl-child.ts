/**
 * One crawl in its own process, so its peak RSS is its own. Prints one JSON line:
 * { pages, ms, maxRssMb }. argv: <ours|crawlee|ceiling> <site url> <max pages>
 */
import { crawl, parseAllowList } from '@scrape-jobs/crawler';
import { defaultJobConfig } from '@scrape-jobs/domain';
import * as cheerio from 'cheerio';
import { request } from 'undici';
import { performance } from 'node:perf_hooks';

const [kind, base, max] = process.argv.slice(2) as [string, string, string];
const maxPages = Number(max);
const start = `${base}/catalog/page/1`;

async function ours(): Promise<number> {
  let pages = 0;
  const host = new URL(base).host;
  const outcome = await crawl({
    target: {
      domain: host,
      job_type: 'domain_scrape',
      // Robots, stats and extraction on (the defaults); politeness delay 0.
      config: { ...defaultJobConfig(), delay: 0, timeout: 10_000, depth: 20, maxPages, startUrl: start },
    },
    allowHosts: parseAllowList('localhost,127.0.0.1'),
    onPage: () => void pages++,
  });
  if (outcome.outcome !== 'completed') throw new Error(`crawl ${outcome.outcome}: ${outcome.error?.message}`);
  return pages;
}

/** The ceiling: breadth-first, one request at a time, same origin, no robots, no stats. */
async function ceiling(): Promise<number> {
  const origin = new URL(base).origin;
  const seen = new Set([start]);
  const queue = [start];
  let pages = 0;
  for (let i = 0; i < queue.length && pages < maxPages; i++) {
    const res = await request(queue[i]!);
    const body = await res.body.text();
    pages++;
    if (res.statusCode !== 200 || !String(res.headers['content-type'] ?? '').includes('html')) continue;
    const $ = cheerio.load(body);
    $('a[href]').each((_, el) => {
      try {
        const url = new URL($(el).attr('href')!, queue[i]);
        url.hash = '';
        if (url.origin === origin && !seen.has(url.href)) {
          seen.add(url.href);
          queue.push(url.href);
        }
      } catch {
        /* a bad href */
      }
    });
  }
  return pages;
}

async function crawlee(): Promise<number> {
  const { CheerioCrawler, Configuration } = await import('@crawlee/cheerio');
  let pages = 0;
  const crawler = new CheerioCrawler(
    {
      minConcurrency: 1,
      maxConcurrency: 1,
      maxRequestsPerCrawl: maxPages,
      maxRequestRetries: 0,
      requestHandler: async ({ enqueueLinks }) => {
        pages++;
        await enqueueLinks({ strategy: 'same-origin' });
      },
      failedRequestHandler: () => void pages++,
    },
    new Configuration({ persistStorage: false, logLevel: 0 as never }),
  );
  await crawler.run([start]);
  return pages;
}

const t0 = performance.now();
const pages = kind === 'ours' ? await ours() : kind === 'crawlee' ? await crawlee() : await ceiling();
const ms = performance.now() - t0;
console.log(JSON.stringify({ pages, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
process.exit(0);
