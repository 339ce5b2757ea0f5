import robotsParser from 'robots-parser';
import { CancelledError, CrawlError, statusError, toCrawlError } from './errors.ts';
import type { Fetcher } from './net/fetcher.ts';

/** The rules of one origin's robots.txt, for one user agent. */
export interface RobotsRules {
  allows(url: URL): boolean;
  /** Crawl-delay for the agent, in ms; null without one. */
  crawlDelayMs: number | null;
  sitemaps: string[];
  /** Why robots.txt could not be read (everything is then disallowed); null when it was. */
  error: CrawlError | null;
}

const ALLOW_ALL: Omit<RobotsRules, 'error'> = { allows: () => true, crawlDelayMs: null, sitemaps: [] };
const ROBOTS_MAX_BYTES = 512 * 1024;
/** A site cannot slow a job down further than this with Crawl-delay. */
const MAX_CRAWL_DELAY_MS = 60_000;

/**
 * The token robots.txt groups are matched against: the product name of the user agent
 * (`ScrapeJobsBot/0.1` → `ScrapeJobsBot`), or the bot inside `Mozilla/5.0 (compatible; X/1.0)`.
 */
export function robotsAgent(userAgent: string): string {
  const compatible = /compatible;\s*([A-Za-z0-9._-]+)/.exec(userAgent);
  return compatible?.[1] ?? userAgent.trim().split(/[\s/]/)[0] ?? userAgent;
}

/**
 * robots.txt per origin, fetched once (RFC 9309): a 4xx means no rules; a 5xx, 429, or an
 * unreachable server means everything is disallowed, and the error is kept so the crawl
 * can fail when that origin is the start page's.
 */
export class RobotsCache {
  private readonly byOrigin = new Map<string, Promise<RobotsRules>>();
  private readonly agent: string;

  constructor(
    private readonly fetcher: Fetcher,
    userAgent: string,
  ) {
    this.agent = robotsAgent(userAgent);
  }

  get(origin: string): Promise<RobotsRules> {
    let rules = this.byOrigin.get(origin);
    if (!rules) {
      rules = this.load(origin);
      this.byOrigin.set(origin, rules);
      // A cancelled load must not stay cached as a failure.
      rules.catch(() => this.byOrigin.delete(origin));
    }
    return rules;
  }

  async allows(url: URL): Promise<boolean> {
    return (await this.get(url.origin)).allows(url);
  }

  private async load(origin: string): Promise<RobotsRules> {
    const robotsUrl = new URL('/robots.txt', origin);
    try {
      const res = await this.fetcher.fetch(robotsUrl, { accept: 'text/plain, */*;q=0.1', maxBytes: ROBOTS_MAX_BYTES });
      if (res.status >= 400 && res.status < 500 && res.status !== 429) return { ...ALLOW_ALL, error: null };
      const failure = statusError(res.status, robotsUrl.href, typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined);
      if (failure) return { allows: () => false, crawlDelayMs: null, sitemaps: [], error: failure };
      const robots = robotsParser(robotsUrl.href, res.body.toString('utf8'));
      const delay = robots.getCrawlDelay(this.agent);
      return {
        allows: (url) => robots.isAllowed(url.href, this.agent) !== false,
        crawlDelayMs: typeof delay === 'number' && Number.isFinite(delay) && delay > 0 ? Math.min(delay * 1000, MAX_CRAWL_DELAY_MS) : null,
        sitemaps: robots.getSitemaps(),
        error: null,
      };
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return { allows: () => false, crawlDelayMs: null, sitemaps: [], error: toCrawlError(error, robotsUrl.href) };
    }
  }
}
