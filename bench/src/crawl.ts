/**
 * Crawl: pages/s and peak RSS crawling the fixture site's 1500 generated catalog pages
 * (delay 0, one request at a time in all) with our crawler alone and as the worker runs it
 * (a claimed job on a real server: heartbeats, page reports), Crawlee's CheerioCrawler and a
 * minimal undici + cheerio breadth-first loop (the ceiling).
 */
import { createJobInputSchema, type ClaimedJob } from '@scrape-jobs/domain';
import { freePort } from '@scrape-jobs/server/test/server-process.ts';
import { startTestServer, type TestServer } from '@scrape-jobs/server/test/test-server.ts';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, ratio, spread, summarize, table, type Summary } from './lib.ts';

const require = createRequire(import.meta.url);
const TSX = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'crawl-child.ts');
const SITE_MAIN = join(dirname(require.resolve('@scrape-jobs/fixture-site')), 'main.ts');
const MAX_PAGES = QUICK ? 500 : 1500;
const RUNS = QUICK ? 1 : 3;
const KINDS = [
  { kind: 'ceiling', name: 'undici + cheerio BFS (ceiling)' },
  { kind: 'ours', name: 'scrape-jobs crawler (robots, stats, extraction on)' },
  { kind: 'worker', name: 'scrape-jobs worker (the same, as a claimed job: heartbeats, page reports)' },
  { kind: 'crawlee', name: 'Crawlee CheerioCrawler 3.18 (maxConcurrency 1)' },
];

interface ChildResult {
  pages: number;
  ms: number;
  maxRssMb: number;
}

/** The crawled site, served from its own process. */
interface Site {
  url: string;
  domain: string;
  close(): void;
}

/**
 * The fixture site in a process of its own (its standalone main), so that no crawler's
 * other work (the worker variant's server, in the bench process) shares its event loop.
 */
async function startSiteProcess(): Promise<Site> {
  const port = await freePort();
  const site = spawn(process.execPath, [TSX, SITE_MAIN], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    site.once('exit', (code) => reject(new Error(`the fixture site exited (${code})`)));
    site.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Fixture shop on') && resolve());
  });
  return { url: `http://localhost:${port}`, domain: `localhost:${port}`, close: () => site.kill() };
}

/** A job for the fixture site with the crawl's settings, created and claimed on the bench's server (not timed). */
async function claimCrawlJob(server: TestServer, site: Site, maxPages: number): Promise<ClaimedJob> {
  const config = { delay: 0, timeout: 10_000, depth: 20, maxPages, startUrl: `${site.url}/catalog/page/1` };
  await server.manager.createJob(createJobInputSchema.parse({ domain: site.domain, config }));
  const job = await server.manager.claimNextJob({ workerId: 'bench-crawl' });
  if (!job) throw new Error('the crawl job was not claimable');
  return job;
}

async function child(kind: string, site: Site, server: TestServer, maxPages: number): Promise<ChildResult> {
  const storage = mkdtempSync(join(tmpdir(), 'bench-crawlee-'));
  const job = kind === 'worker' ? { BENCH_SERVER_URL: server.url, BENCH_CLAIMED_JOB: JSON.stringify(await claimCrawlJob(server, site, maxPages)) } : {};
  return new Promise<ChildResult>((resolve, reject) => {
    execFile(
      process.execPath,
      [TSX, CHILD, kind, site.url, String(maxPages)],
      { env: { ...process.env, ...job, CRAWLEE_STORAGE_DIR: storage, CRAWLEE_PURGE_ON_START: '1' }, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${kind}: ${error.message}\n${stderr}`));
        const line = stdout.trim().split('\n').pop()!;
        resolve(JSON.parse(line) as ChildResult);
      },
    );
  }).finally(() => rmSync(storage, { recursive: true, force: true }));
}

export interface CrawlRow {
  crawler: string;
  pages: number;
  pagesPerSecond: Summary;
  peakRssMb: Summary;
}

export async function benchCrawl(): Promise<{ rows: CrawlRow[]; tables: string[]; settings: object }> {
  const site = await startSiteProcess();
  const server = await startTestServer('postgres');
  const results = new Map<string, ChildResult[]>(KINDS.map((k) => [k.kind, []]));
  try {
    for (const k of KINDS) await child(k.kind, site, server, 100); // warm-up: the site, the disk cache, tsx's cache
    for (let r = 0; r < RUNS; r++) {
      for (const k of KINDS) {
        const res = await child(k.kind, site, server, MAX_PAGES);
        results.get(k.kind)!.push(res);
        console.error(`  crawl: ${k.kind}: ${res.pages} pages, ${((res.pages / res.ms) * 1000).toFixed(0)} pages/s, peak RSS ${res.maxRssMb.toFixed(0)} MB`);
      }
    }
  } finally {
    await server.close();
    site.close();
  }
  const rows: CrawlRow[] = KINDS.map((k) => {
    const rs = results.get(k.kind)!;
    return {
      crawler: k.name,
      pages: Math.min(...rs.map((x) => x.pages)),
      pagesPerSecond: summarize(rs.map((x) => (x.pages / x.ms) * 1000)),
      peakRssMb: summarize(rs.map((x) => x.maxRssMb)),
    };
  });
  const [ceil, mine] = rows as [CrawlRow, CrawlRow];
  const tables = [
    table(
      `Crawl: fixture site /catalog/page/1… (${MAX_PAGES} pages, delay 0, one request at a time), each crawler in its own process; median of ${RUNS} (min–max)`,
      ['crawler', 'pages', 'pages/s', 'peak RSS MB', 'pages/s ÷ ceiling', 'ours RSS ÷ this'],
      rows.map((r) => [r.crawler, r.pages, spread(r.pagesPerSecond), spread(r.peakRssMb), r === ceil ? '—' : ratio(r.pagesPerSecond.median, ceil.pagesPerSecond.median), r === mine ? '—' : ratio(mine.peakRssMb.median, r.peakRssMb.median)]),
    ),
  ];
  return { rows, tables, settings: { maxPages: MAX_PAGES, runs: RUNS } };
}
