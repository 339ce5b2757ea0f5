import { CrawlError } from '../errors.ts';
import { header, isRedirect, RequestAborts, requestOnce, type HopResponse } from './http-request.ts';
import { bareHost, type OutboundGuard } from './outbound-guard.ts';
import type { HostThrottle } from './throttle.ts';

export interface FetcherOptions {
  guard: OutboundGuard;
  throttle: HostThrottle;
  userAgent: string;
  timeoutMs: number;
  signal: AbortSignal;
  maxBytes: number;
  maxRedirects: number;
}

export interface FetchResult extends HopResponse {
  /** The final URL. */
  url: URL;
  /** The URLs that redirected, in order. */
  redirects: URL[];
  /** Wire bytes of every hop. */
  totalBytes: number;
  /** From the first hop's start to the final body. */
  totalMs: number;
}

export interface FetchOptions {
  accept: string;
  /** Kept below maxBytes when smaller (robots.txt, sitemaps). */
  maxBytes?: number;
  /** Checks a redirect target before it is requested (scope, robots); throws to refuse it. */
  admitRedirect?(url: URL): Promise<void>;
}

/**
 * GETs a URL following redirects by hand, so that every hop passes the outbound guard
 * (and the caller's checks) before anything is sent to it, and waits for the host's delay.
 */
export class Fetcher {
  private readonly aborts: RequestAborts;

  constructor(private readonly o: FetcherOptions) {
    this.aborts = new RequestAborts(o.signal);
  }

  /** Lets go of the caller's signal; no fetch may follow. */
  close(): void {
    this.aborts.close();
  }

  async fetch(url: URL, options: FetchOptions): Promise<FetchResult> {
    const started = performance.now();
    const redirects: URL[] = [];
    let totalBytes = 0;
    let current = url;
    for (;;) {
      await this.o.guard.admit(current);
      if (redirects.length > 0) await options.admitRedirect?.(current);
      const host = bareHost(current);
      await this.o.throttle.wait(host, this.o.signal);
      let hop: HopResponse;
      try {
        hop = await requestOnce({
          url: current,
          dispatcher: this.o.guard.dispatcher,
          userAgent: this.o.userAgent,
          accept: options.accept,
          timeoutMs: this.o.timeoutMs,
          aborts: this.aborts,
          maxBytes: Math.min(options.maxBytes ?? this.o.maxBytes, this.o.maxBytes),
        });
      } catch (error) {
        // A connection that failed put no load on the server (the https probe of an http-only site).
        if (!(error instanceof CrawlError && error.kind === 'network')) this.o.throttle.done(host);
        throw error;
      }
      this.o.throttle.done(host);
      totalBytes += hop.wireBytes;
      const location = header(hop.headers, 'location');
      if (!isRedirect(hop.status) || !location) {
        return { ...hop, url: current, redirects, totalBytes, totalMs: performance.now() - started };
      }
      if (redirects.length >= this.o.maxRedirects) throw new CrawlError('invalid', `More than ${this.o.maxRedirects} redirects from ${url.href}`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new CrawlError('invalid', `Invalid redirect location ${JSON.stringify(location)} from ${current.href}`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new CrawlError('invalid', `Redirect from ${current.href} to a non-HTTP URL`);
      next.hash = '';
      redirects.push(current);
      current = next;
    }
  }
}
