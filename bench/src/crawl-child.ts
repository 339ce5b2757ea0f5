/**
 * One crawl in its own process, so its peak RSS is its own. Prints one JSON line:
 * { pages, ms, maxRssMb }. argv: <ours|worker|crawlee|ceiling> <site url> <max pages>
 */
import { crawl, parseAllowList } from '@scrape-jobs/crawler';
import { defaultJobConfig, type ClaimedJob } from '@scrape-jobs/domain';
import { runJob } from '@scrape-jobs/worker/src/job-runner.ts';
import { createServerClient } from '@scrape-jobs/worker/src/server-client.ts';
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

/**
 * Ours as a worker runs it: the job the bench claimed (BENCH_CLAIMED_JOB) through the
 * worker's runJob, talking tRPC to the bench's server (BENCH_SERVER_URL): heartbeats with
 * the progress stats every 2 s (the worker's default), every page reported, the completion.
 */
const claimed = kind === 'worker' ? (JSON.parse(process.env.BENCH_CLAIMED_JOB!) as ClaimedJob) : undefined;
const client = claimed ? createServerClient(process.env.BENCH_SERVER_URL!, claimed.worker_id!) : undefined;
// As in a worker process that is already running: its client has made a call (fetch's own
// set-up, about 50 ms) before this job, so the clock counts the job's run only.
if (claimed) await client!.scrapeJobs.get.query({ id: claimed.id });

async function worker(): Promise<number> {
  const quiet = { info() {}, warn() {}, error() {} };
  const outcome = await runJob(claimed!, { client: client!, heartbeatIntervalMs: 2000, allowHosts: parseAllowList('localhost,127.0.0.1'), log: quiet }, new AbortController().signal);
  if (outcome !== 'completed') throw new Error(`worker run ${outcome}`);
  const done = await client!.scrapeJobs.get.query({ id: claimed!.id });
  return Number(done?.stats.pagesProcessed ?? 0);
}

const crawlers: Record<string, () => Promise<number>> = { ours, worker, crawlee, ceiling };
const t0 = performance.now();
const pages = await crawlers[kind]!();
const ms = performance.now() - t0;
console.log(JSON.stringify({ pages, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
process.exit(0);
