import type { JobConfig, JobStats, JobType } from '@scrape-jobs/domain';
import type { AllowList } from './net/allow-list.ts';

/** What to crawl: a job's domain (a host name or IP literal, with an optional port), type and config. */
export interface CrawlTarget {
  domain: string;
  job_type: JobType;
  config: JobConfig;
}

/** One product found on a page, in whichever markup form it came. */
export interface ExtractedProduct {
  name: string;
  /** The lowest offered price. */
  price: number | null;
  currency: string | null;
  availability: 'in_stock' | 'out_of_stock' | 'unknown';
  category: string | null;
  /** Absolute URL. */
  image: string | null;
  /** The product's own absolute URL (its markup's `url`, else the page's). */
  url: string;
  sku: string | null;
  /** The first form it was found in; later forms only fill fields this one lacked. */
  source: 'json-ld' | 'microdata' | 'open-graph';
}

/** One fetched (or refused) page. */
export interface PageResult {
  /** The final URL, after redirects. */
  url: string;
  /** HTTP status of the final response; null when no response came. */
  status: number | null;
  title: string | null;
  products: ExtractedProduct[];
  /** `img[src]` elements. */
  images: number;
  /** `a[href]` elements. */
  links: number;
  /** Links to pdf, doc, docx, xls, xlsx, ppt, csv or zip files. */
  documents: number;
  /** Body bytes as received (compressed, if the server compressed). */
  bytes: number;
  /** From the first request until the body was read, redirects included. */
  responseTimeMs: number;
  depth: number;
  /** Why the page failed; null for a 2xx page. */
  error: string | null;
  fetchedAt: string;
}

export type ErrorKind = 'network' | 'timeout' | 'dns' | 'rate_limited' | 'server' | 'http_4xx' | 'robots_blocked' | 'outbound_blocked' | 'invalid';

/** Why a crawl (or a page) failed, and whether trying again later can help. */
export interface ClassifiedError {
  kind: ErrorKind;
  message: string;
  retryable: boolean;
  /** From a 429's or 503's Retry-After. */
  retryAfterMs?: number;
}

/** The previous job's products, for the inventory block. */
export interface PreviousProduct {
  url: string;
  sku: string | null;
  price: number | null;
  availability: string;
}

export interface CrawlOptions {
  target: CrawlTarget;
  /** Abort stops the crawl now (in-flight requests too) with outcome 'cancelled'. */
  signal?: AbortSignal;
  /** Hosts and addresses that may be fetched although private (see `parseAllowList`). */
  allowHosts?: AllowList;
  /** content_update: the URLs of the domain's last completed job. */
  previousUrls?: string[];
  previousProducts?: PreviousProduct[];
  onPage?(page: PageResult): void | Promise<void>;
  /** Called after every page; the caller throttles. */
  onProgress?(stats: JobStats): void;
  /** DNS; default: `localhost` and `*.localhost` are 127.0.0.1 (RFC 6761), others dns.lookup. */
  resolve?: (host: string) => Promise<string[]>;
  /** Default 5 MiB; a body larger than this is not read further and the page fails. */
  maxResponseBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
}

export interface CrawlOutcome {
  outcome: 'completed' | 'failed' | 'cancelled';
  stats: JobStats;
  /** Set when the outcome is 'failed'. */
  error: ClassifiedError | null;
  /** URLs robots.txt disallowed, never fetched. */
  blockedUrls: string[];
}
