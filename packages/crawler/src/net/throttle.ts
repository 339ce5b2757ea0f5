import { CancelledError } from '../errors.ts';

/** Resolves after `ms`, or rejects with CancelledError as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Politeness per host name: the next request to a host starts no sooner than its delay
 * after the previous one to that host finished. The delay is the job's, or a larger
 * robots.txt Crawl-delay once that host's robots.txt is known.
 */
export class HostThrottle {
  private readonly lastDone = new Map<string, number>();
  private readonly hostDelay = new Map<string, number>();

  constructor(private readonly baseDelayMs: number) {}

  setMinimumDelay(host: string, ms: number): void {
    this.hostDelay.set(host, Math.max(ms, this.hostDelay.get(host) ?? 0));
  }

  delayFor(host: string): number {
    return Math.max(this.baseDelayMs, this.hostDelay.get(host) ?? 0);
  }

  async wait(host: string, signal: AbortSignal): Promise<void> {
    const last = this.lastDone.get(host);
    if (last === undefined) return;
    const wait = last + this.delayFor(host) - performance.now();
    if (wait > 0) await sleep(wait, signal);
  }

  done(host: string): void {
    this.lastDone.set(host, performance.now());
  }
}
