/**
 * Crawl: pages/s and peak RSS crawling the fixture site's 1500 generated catalog pages
 * (delay 0, one request at a time in all three) with our crawler, Crawlee's CheerioCrawler
 * and a minimal undici + cheerio breadth-first loop (the ceiling).
 */
import { startFixtureSite } from '@scrape-jobs/fixture-site';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUICK, ratio, spread, summarize, table, type Summary } from './lib.ts';

const require = createRequire(import.meta.url);
const TSX = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'crawl-child.ts');
const MAX_PAGES = QUICK ? 500 : 1500;
const RUNS = QUICK ? 1 : 3;
const KINDS = [
  { kind: 'ceiling', name: 'undici + cheerio BFS (ceiling)' },
  { kind: 'ours', name: 'scrape-jobs crawler (robots, stats, extraction on)' },
  { kind: 'crawlee', name: 'Crawlee CheerioCrawler 3.18 (maxConcurrency 1)' },
];

interface ChildResult {
  pages: number;
  ms: number;
  maxRssMb: number;
}

function child(kind: string, url: string, maxPages: number): Promise<ChildResult> {
  const storage = mkdtempSync(join(tmpdir(), 'bench-crawlee-'));
  return new Promise<ChildResult>((resolve, reject) => {
    execFile(
      process.execPath,
      [TSX, CHILD, kind, url, String(maxPages)],
      { env: { ...process.env, CRAWLEE_STORAGE_DIR: storage, CRAWLEE_PURGE_ON_START: '1' }, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
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
  const site = await startFixtureSite({});
  const results = new Map<string, ChildResult[]>(KINDS.map((k) => [k.kind, []]));
  try {
    for (const k of KINDS) await child(k.kind, site.url, 100); // warm-up: the site, the disk cache, tsx's cache
    for (let r = 0; r < RUNS; r++) {
      for (const k of KINDS) {
        const res = await child(k.kind, site.url, MAX_PAGES);
        results.get(k.kind)!.push(res);
        console.error(`  crawl: ${k.kind}: ${res.pages} pages, ${((res.pages / res.ms) * 1000).toFixed(0)} pages/s, peak RSS ${res.maxRssMb.toFixed(0)} MB`);
      }
    }
  } finally {
    await site.close();
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
  const [ceil, mine] = rows as [CrawlRow, CrawlRow, CrawlRow];
  const tables = [
    table(
      `Crawl: fixture site /catalog/page/1… (${MAX_PAGES} pages, delay 0, one request at a time), each crawler in its own process; median of ${RUNS} (min–max)`,
      ['crawler', 'pages', 'pages/s', 'peak RSS MB', 'pages/s ÷ ceiling', 'ours RSS ÷ this'],
      rows.map((r) => [r.crawler, r.pages, spread(r.pagesPerSecond), spread(r.peakRssMb), r === ceil ? '—' : ratio(r.pagesPerSecond.median, ceil.pagesPerSecond.median), r === mine ? '—' : ratio(mine.peakRssMb.median, r.peakRssMb.median)]),
    ),
  ];
  return { rows, tables, settings: { maxPages: MAX_PAGES, runs: RUNS } };
}
