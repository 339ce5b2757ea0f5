import type { ClassifiedError, ErrorKind } from './types.ts';

const RETRYABLE: Record<ErrorKind, boolean> = {
  network: true,
  timeout: true,
  dns: true,
  rate_limited: true,
  server: true,
  http_4xx: false,
  robots_blocked: false,
  outbound_blocked: false,
  invalid: false,
};

/** A failure the crawler understands; `classified` is what a job reports. */
export class CrawlError extends Error {
  readonly classified: ClassifiedError;

  constructor(kind: ErrorKind, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'CrawlError';
    this.classified = { kind, message, retryable: RETRYABLE[kind], ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  get kind(): ErrorKind {
    return this.classified.kind;
  }
}

/** Thrown when the caller's signal aborts; never reported as a page error. */
export class CancelledError extends Error {
  constructor() {
    super('Crawl cancelled');
    this.name = 'CancelledError';
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error an HTTP status means for a page; null for 2xx. */
export function statusError(status: number, url: string, retryAfter?: string): CrawlError | null {
  if (status >= 200 && status < 300) return null;
  const after = parseRetryAfter(retryAfter);
  if (status === 429) return new CrawlError('rate_limited', `HTTP 429 Too Many Requests from ${url}`, after);
  if (status >= 500) return new CrawlError('server', `HTTP ${status} from ${url}`, status === 503 ? after : undefined);
  if (status >= 400) return new CrawlError('http_4xx', `HTTP ${status} from ${url}`);
  return new CrawlError('invalid', `Unexpected HTTP ${status} from ${url}`);
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'ENODATA']);

function codeOf(error: unknown): string | undefined {
  for (let e: any = error, i = 0; e && i < 5; e = e.cause, i++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** Turns whatever a request threw into a CrawlError (a CrawlError passes through). */
export function toCrawlError(error: unknown, url: string): CrawlError {
  if (error instanceof CrawlError) return error;
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if ((code && TIMEOUT_CODES.has(code)) || (error as any)?.name === 'TimeoutError') return new CrawlError('timeout', `Request timeout for ${url}`);
  if (code && DNS_CODES.has(code)) return new CrawlError('dns', `DNS lookup failed for ${url} (${code})`);
  return new CrawlError('network', `Network error for ${url}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`);
}
