import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { request, type Dispatcher } from 'undici';
import { CancelledError, CrawlError, toCrawlError } from '../errors.ts';

/** An abort controller that follows the caller's signal until it is detached. */
interface Lease {
  controller: AbortController;
  detach(): void;
}

/**
 * The abort controllers of one caller's requests (one at a time or several). A request takes
 * a controller and gives it back; the next one reuses it unless it was aborted (a timeout,
 * the caller's abort): a new controller, signal and listener per request cost more than
 * undici's own work for a small page. A dropped controller's listener on the caller's
 * signal is removed, so a long crawl does not pile listeners onto it.
 */
export class RequestAborts {
  private spare: Lease | null = null;

  /** The caller's signal: its abort is a cancellation, not a failure. */
  constructor(readonly signal: AbortSignal) {}

  take(): Lease {
    const spare = this.spare;
    this.spare = null;
    if (spare && !spare.controller.signal.aborted) return spare;
    spare?.detach();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    this.signal.addEventListener('abort', onAbort, { once: true });
    return { controller, detach: () => this.signal.removeEventListener('abort', onAbort) };
  }

  giveBack(lease: Lease): void {
    if (this.spare === null && !lease.controller.signal.aborted) this.spare = lease;
    else lease.detach();
  }

  /** Detaches the spare controller: the caller's signal may outlive the crawl (a worker's). */
  close(): void {
    this.spare?.detach();
    this.spare = null;
  }
}

export interface HopRequest {
  url: URL;
  dispatcher: Dispatcher;
  userAgent: string;
  accept: string;
  timeoutMs: number;
  /** The caller's signal and the controllers that follow it. */
  aborts: RequestAborts;
  /** Most body bytes kept, after decompression. */
  maxBytes: number;
}

/** One response, without following redirects. */
export interface HopResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, cut at maxBytes (empty for a redirect). */
  body: Buffer;
  /** Bytes received on the wire. */
  wireBytes: number;
  /** The body was longer than maxBytes and was not read further. */
  tooLarge: boolean;
  /** Until the response headers arrived. */
  ttfbMs: number;
}

export function header(headers: HopResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;

function decompress(body: Buffer, encoding: string | undefined, maxBytes: number): { body: Buffer; tooLarge: boolean } {
  const enc = (encoding ?? '').trim().toLowerCase();
  const options = { maxOutputLength: maxBytes };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return { body: gunzipSync(body, options), tooLarge: false };
    if (enc === 'br') return { body: brotliDecompressSync(body, options), tooLarge: false };
    if (enc === 'deflate') {
      // Servers send both zlib-wrapped and raw deflate under this name.
      try {
        return { body: inflateSync(body, options), tooLarge: false };
      } catch (error: any) {
        if (error?.code === 'ERR_BUFFER_TOO_LARGE') throw error;
        return { body: inflateRawSync(body, options), tooLarge: false };
      }
    }
    return { body, tooLarge: false };
  } catch (error: any) {
    if (error?.code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) return { body: Buffer.alloc(0), tooLarge: true };
    throw new CrawlError('invalid', `Could not decode the ${enc} body`);
  }
}

/** A GET of one URL with a per-request timeout and a size cap. */
export async function requestOnce(req: HopRequest): Promise<HopResponse> {
  const lease = req.aborts.take();
  const controller = lease.controller;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeoutMs);
  const started = performance.now();
  try {
    if (req.aborts.signal.aborted) throw new CancelledError();
    const res = await request(req.url, {
      method: 'GET',
      dispatcher: req.dispatcher,
      signal: controller.signal,
      headers: { 'user-agent': req.userAgent, accept: req.accept, 'accept-encoding': 'gzip, deflate, br' },
    });
    const ttfbMs = performance.now() - started;
    if (isRedirect(res.statusCode)) {
      await res.body.dump();
      return { status: res.statusCode, headers: res.headers, body: Buffer.alloc(0), wireBytes: 0, ttfbMs, tooLarge: false };
    }
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let tooLarge = false;
    for await (const chunk of res.body) {
      wireBytes += chunk.length;
      if (wireBytes > req.maxBytes) {
        tooLarge = true;
        res.body.destroy();
        break;
      }
      chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks);
    const decoded = tooLarge ? { body: raw, tooLarge } : decompress(raw, header(res.headers, 'content-encoding'), req.maxBytes);
    return { status: res.statusCode, headers: res.headers, body: decoded.body, wireBytes, tooLarge: decoded.tooLarge, ttfbMs };
  } catch (error) {
    if (req.aborts.signal.aborted) throw new CancelledError();
    if (timedOut) throw new CrawlError('timeout', `Request timeout after ${req.timeoutMs} ms for ${req.url.href}`);
    throw toCrawlError(error, req.url.href);
  } finally {
    clearTimeout(timer);
    req.aborts.giveBack(lease);
  }
}

export { isRedirect };
