import { isIPv6 } from 'node:net';
import type { JobConfig } from '@scrape-jobs/domain';
import { CancelledError, CrawlError, statusError, toCrawlError } from './errors.ts';
import { decodeBody, isHtml } from './extract/decode.ts';
import { parseHtml, type OutLink } from './extract/html-page.ts';
import { Frontier } from './frontier.ts';
import { EMPTY_ALLOW_LIST } from './net/allow-list.ts';
import { Fetcher, type FetchOptions, type FetchResult } from './net/fetcher.ts';
import { header } from './net/http-request.ts';
import { bareHost, OutboundGuard } from './net/outbound-guard.ts';
import { defaultResolver } from './net/resolver.ts';
import { HostThrottle } from './net/throttle.ts';
import { RobotsCache, type RobotsRules } from './robots.ts';
import { scopeFor, type Scope } from './scope.ts';
import { readSitemap } from './sitemap.ts';
import { StatsRecorder } from './stats-recorder.ts';
import type { CrawlOptions, CrawlOutcome, PageResult } from './types.ts';

const HTML_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5';
const SITEMAP_ACCEPT = 'application/xml,text/xml;q=0.9,*/*;q=0.5';
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const MAX_SITEMAP_DOCUMENTS = 50;
const MAX_SITEMAP_URLS = 50_000;

interface Visit {
  page: PageResult;
  error: CrawlError | null;
  outLinks: OutLink[];
  latencyMs: number | null;
}

/** A failure where the other scheme may work: nothing answered, or not in that protocol. */
const isConnectFailure = (error: CrawlError | null) => error !== null && (error.kind === 'network' || error.kind === 'timeout');

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Crawls one job's target and reports every page as it goes. Resolves with the outcome in
 * every case the crawl itself decides (completed, failed with a classified error,
 * cancelled by the signal); rejects only with an error thrown by `onPage` or `onProgress`.
 */
export async function crawl(options: CrawlOptions): Promise<CrawlOutcome> {
  const run = new CrawlRun(options);
  try {
    return await run.run();
  } finally {
    await run.close();
  }
}

/** The state of one crawl; `crawl` is its only user. */
class CrawlRun {
  private readonly config: JobConfig;
  private readonly signal: AbortSignal;
  private readonly guard: OutboundGuard;
  private readonly throttle: HostThrottle;
  private readonly fetcher: Fetcher;
  private readonly robots: RobotsCache;
  private readonly stats: StatsRecorder;
  private readonly frontier: Frontier;
  private readonly maxPages: number;
  private readonly maxBytes: number;
  private readonly blocked: string[] = [];
  private readonly blockedSet = new Set<string>();
  private scope!: Scope;
  /** The scheme and authority pages are fetched from, once known. */
  private origin: string | null = null;
  private startHref: string | null = null;
  /** Link hops followed from a page; 0 when the job type fetches a fixed list. */
  private depthLimit: number;
  /** How pages are fetched; made once, not per page. */
  private readonly pageFetch: FetchOptions = { accept: HTML_ACCEPT, admitRedirect: (hop) => this.admitRedirect(hop) };

  constructor(private readonly options: CrawlOptions) {
    const { config, job_type } = options.target;
    this.config = config;
    this.signal = options.signal ?? new AbortController().signal;
    this.maxPages = job_type === 'single_page' ? 1 : config.maxPages;
    this.maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_BYTES;
    this.depthLimit = job_type === 'single_page' ? 0 : config.depth;
    this.guard = new OutboundGuard(options.allowHosts ?? EMPTY_ALLOW_LIST, options.resolve ?? defaultResolver, config.timeout);
    this.throttle = new HostThrottle(config.delay);
    this.fetcher = new Fetcher({
      guard: this.guard,
      throttle: this.throttle,
      userAgent: config.userAgent,
      timeoutMs: config.timeout,
      signal: this.signal,
      maxBytes: this.maxBytes,
      maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    });
    this.robots = new RobotsCache(this.fetcher, config.userAgent);
    this.stats = new StatsRecorder(this.maxPages, options.previousProducts ?? []);
    this.frontier = new Frontier(job_type === 'product_catalog');
  }

  async run(): Promise<CrawlOutcome> {
    try {
      if (this.signal.aborted) throw new CancelledError();
      this.scope = scopeFor(this.options.target.domain, this.config.includeSubdomains);
      const explicit = this.explicitStart();
      if (this.options.target.job_type === 'sitemap_crawl') {
        this.depthLimit = 0;
        await this.seedFromSitemaps(explicit);
      } else {
        await this.seedStart(explicit);
      }
      await this.loop();
      return this.finish('completed', null);
    } catch (error) {
      if (error instanceof CancelledError || this.signal.aborted) return this.finish('cancelled', null);
      if (error instanceof CrawlError) return this.finish('failed', error);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.fetcher.close();
    await this.guard.close();
  }

  /** `config.startUrl`, which must be on the domain; null when the home page is meant. */
  private explicitStart(): URL | null {
    if (!this.config.startUrl) return null;
    let url: URL;
    try {
      url = new URL(this.config.startUrl);
    } catch {
      throw new CrawlError('invalid', `Invalid startUrl ${JSON.stringify(this.config.startUrl)}`);
    }
    if (!this.scope.contains(url)) throw new CrawlError('invalid', `startUrl ${url.href} is not on the domain ${this.options.target.domain}`);
    url.hash = '';
    return url;
  }

  /** `host[:port]` of the domain as it goes into a URL. */
  private authority(): string {
    const host = isIPv6(this.scope.host) ? `[${this.scope.host}]` : this.scope.host;
    return this.scope.port ? `${host}:${this.scope.port}` : host;
  }

  private candidateOrigins(explicit: URL | null): string[] {
    return explicit ? [explicit.origin] : [`https://${this.authority()}`, `http://${this.authority()}`];
  }

  /**
   * Reads the start origin's robots.txt, trying https and then http; the first that answers
   * becomes the origin. An unreadable robots.txt there fails the crawl when robots count.
   */
  private async startRobots(explicit: URL | null, required: boolean): Promise<RobotsRules> {
    const candidates = this.candidateOrigins(explicit);
    for (const [i, origin] of candidates.entries()) {
      const rules = await this.robots.get(origin);
      if (isConnectFailure(rules.error) && i < candidates.length - 1) continue;
      if (rules.error && (required || isConnectFailure(rules.error))) throw rules.error;
      this.origin = origin;
      this.adoptCrawlDelay(origin, rules);
      return rules;
    }
    throw new CrawlError('invalid', 'No origin to crawl');
  }

  private async seedStart(explicit: URL | null): Promise<void> {
    if (this.config.respectRobots) await this.startRobots(explicit, true);
    else if (explicit) this.origin = explicit.origin;
    const start = explicit ?? new URL('/', this.origin ?? `https://${this.authority()}`);
    this.startHref = start.href;
    this.frontier.add(start.href, 0);
    const previous = this.options.target.job_type === 'content_update' ? (this.options.previousUrls ?? []) : [];
    if (previous.length === 0) return;
    this.depthLimit = 0;
    for (const href of previous) {
      const url = this.inScope(href);
      if (url) this.frontier.add(url.href, 0);
    }
  }

  private inScope(href: string): URL | null {
    try {
      const url = new URL(href);
      url.hash = '';
      return this.scope.contains(url) ? url : null;
    } catch {
      return null;
    }
  }

  /**
   * Queues the page URLs of the domain's sitemaps: those robots.txt names, else
   * `/sitemap.xml` (or `config.startUrl`), following sitemap indexes. Fails the crawl when
   * no sitemap could be read at all.
   */
  private async seedFromSitemaps(explicit: URL | null): Promise<void> {
    const rules = await this.startRobots(explicit, this.config.respectRobots);
    const listed = rules.sitemaps.map((s) => this.inScope(s)).filter((u): u is URL => u !== null);
    const queue = explicit ? [explicit] : listed.length > 0 ? listed : [new URL('/sitemap.xml', this.origin!)];
    const seen = new Set(queue.map((u) => u.href));
    let read = 0;
    let firstError: CrawlError | null = null;
    for (let i = 0; i < queue.length && i < MAX_SITEMAP_DOCUMENTS; i++) {
      const url = queue[i]!;
      if (this.config.respectRobots && !(await this.robotsAllows(url))) {
        this.block(url.href);
        firstError ??= new CrawlError('robots_blocked', `robots.txt disallows the sitemap ${url.href}`);
        continue;
      }
      let failure: CrawlError | null;
      let res: FetchResult | null = null;
      try {
        res = await this.fetcher.fetch(url, { accept: SITEMAP_ACCEPT, admitRedirect: (hop) => this.admitRedirect(hop) });
        failure = res.tooLarge ? new CrawlError('invalid', `Sitemap ${url.href} is larger than ${this.maxBytes} bytes`) : statusError(res.status, url.href, header(res.headers, 'retry-after'));
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        failure = toCrawlError(error, url.href);
      }
      if (failure || !res) {
        firstError ??= failure;
        this.stats.addError(url.href, failure?.message ?? 'Sitemap not read');
        continue;
      }
      read++;
      const doc = readSitemap(res.body, this.maxBytes);
      for (const child of doc.sitemaps) {
        const childUrl = this.inScope(child);
        if (childUrl && !seen.has(childUrl.href)) {
          seen.add(childUrl.href);
          queue.push(childUrl);
        }
      }
      for (const loc of doc.urls) {
        if (this.frontier.size >= MAX_SITEMAP_URLS) break;
        const pageUrl = this.inScope(loc);
        if (pageUrl) this.frontier.add(pageUrl.href, 0);
      }
    }
    if (read === 0 && firstError) throw firstError;
  }

  private async loop(): Promise<void> {
    while (this.stats.pagesProcessed < this.maxPages) {
      if (this.signal.aborted) throw new CancelledError();
      const item = this.frontier.next();
      if (!item) break;
      const url = new URL(item.url);
      const isStart = item.url === this.startHref;
      if (this.config.respectRobots && !item.robotsAllowed && !(await this.robotsAllows(url))) {
        this.block(url.href);
        if (isStart) throw new CrawlError('robots_blocked', `robots.txt disallows the start page ${url.href} for ${this.config.userAgent}`);
        continue;
      }
      const visit = isStart && this.origin === null ? await this.visitEitherScheme(url) : await this.visit(url, item.depth);
      this.stats.addPage(visit.page, item.url, visit.latencyMs);
      if (visit.error === null && item.depth < this.depthLimit) await this.enqueue(visit.outLinks, item.depth + 1);
      this.stats.setPending(this.frontier.size);
      await this.options.onPage?.(visit.page);
      this.options.onProgress?.(this.stats.snapshot());
      if (isStart && visit.error) throw visit.error;
    }
  }

  /** The start page without robots.txt to settle the scheme: https, then http if https does not connect. */
  private async visitEitherScheme(https: URL): Promise<Visit> {
    const first = await this.visit(https, 0);
    if (!isConnectFailure(first.error) || https.protocol !== 'https:') {
      this.origin = https.origin;
      return first;
    }
    const http = new URL(https.href);
    http.protocol = 'http:';
    this.frontier.markSeen(http.href);
    this.origin = http.origin;
    return this.visit(http, 0);
  }

  private async visit(url: URL, depth: number): Promise<Visit> {
    const fetchedAt = new Date().toISOString();
    const started = performance.now();
    let res: FetchResult;
    try {
      res = await this.fetcher.fetch(url, this.pageFetch);
    } catch (error) {
      if (error instanceof CancelledError || this.signal.aborted) throw new CancelledError();
      const failure = toCrawlError(error, url.href);
      const page = { ...emptyPage(url.href, depth, fetchedAt), responseTimeMs: round1(performance.now() - started), error: failure.message };
      return { page, error: failure, outLinks: [], latencyMs: null };
    }
    this.frontier.markSeen(res.url.href);
    const contentType = header(res.headers, 'content-type');
    const failure = res.tooLarge
      ? new CrawlError('invalid', `Response from ${res.url.href} is larger than ${this.maxBytes} bytes`)
      : statusError(res.status, res.url.href, header(res.headers, 'retry-after'));
    const parsed = failure === null && isHtml(contentType, res.body) ? parseHtml(decodeBody(res.body, contentType), res.url) : null;
    const page: PageResult = {
      ...emptyPage(res.url.href, depth, fetchedAt),
      status: res.status,
      title: parsed?.title ?? null,
      products: parsed?.products ?? [],
      images: parsed?.images ?? 0,
      links: parsed?.links ?? 0,
      documents: parsed?.documents ?? 0,
      bytes: res.totalBytes,
      responseTimeMs: round1(res.totalMs),
      error: failure?.message ?? null,
    };
    return { page, error: failure, outLinks: parsed?.outLinks ?? [], latencyMs: res.ttfbMs };
  }

  /** A redirect target must stay on the domain and be allowed by robots.txt. */
  private async admitRedirect(hop: URL): Promise<void> {
    if (!this.scope.contains(hop)) throw new CrawlError('invalid', `Redirected off the domain to ${hop.href}`);
    if (this.config.respectRobots && !(await this.robotsAllows(hop))) {
      this.block(hop.href);
      throw new CrawlError('robots_blocked', `robots.txt disallows ${hop.href}`);
    }
  }

  private async enqueue(links: OutLink[], depth: number): Promise<void> {
    for (const link of links) {
      const href = link.url.href;
      if (!this.scope.contains(link.url) || this.blockedSet.has(href)) continue;
      if (this.frontier.has(href)) {
        this.frontier.add(href, depth, link.priority);
        continue;
      }
      if (this.config.respectRobots && !(await this.robotsAllows(link.url))) {
        this.block(href);
        continue;
      }
      this.frontier.add(href, depth, link.priority, this.config.respectRobots);
    }
  }

  private async robotsAllows(url: URL): Promise<boolean> {
    const rules = await this.robots.get(url.origin);
    this.adoptCrawlDelay(url.origin, rules);
    return rules.allows(url);
  }

  private adoptCrawlDelay(origin: string, rules: RobotsRules): void {
    if (this.config.respectRobots && rules.crawlDelayMs) this.throttle.setMinimumDelay(bareHost(new URL(origin)), rules.crawlDelayMs);
  }

  private block(href: string): void {
    if (this.blockedSet.has(href)) return;
    this.blockedSet.add(href);
    this.blocked.push(href);
  }

  private finish(outcome: CrawlOutcome['outcome'], error: CrawlError | null): CrawlOutcome {
    this.stats.setPending(outcome === 'failed' ? 0 : this.frontier.size);
    return { outcome, stats: this.stats.snapshot(true), error: error?.classified ?? null, blockedUrls: [...this.blocked] };
  }
}

function emptyPage(url: string, depth: number, fetchedAt: string): PageResult {
  return { url, status: null, title: null, products: [], images: 0, links: 0, documents: 0, bytes: 0, responseTimeMs: 0, depth, error: null, fetchedAt };
}
