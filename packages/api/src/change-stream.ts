import type { JobChange } from '@scrape-jobs/domain';
import type { ScrapeJobManager } from './scrape-job-manager.ts';

/**
 * The change feed as an async iterable that ends when `signal` aborts. Changes that arrive
 * faster than the consumer reads them wait in order; past `maxBuffered` the oldest are
 * dropped (a subscriber that slow re-reads the list anyway). `watch`: see
 * Database.onJobChange.
 */
export async function* changeStream(
  manager: Pick<ScrapeJobManager, 'onJobChange'>,
  wanted: (change: JobChange) => boolean,
  signal: AbortSignal | undefined,
  options: { watch?: boolean; maxBuffered?: number } = {},
): AsyncGenerator<JobChange> {
  const maxBuffered = options.maxBuffered ?? 1000;
  const buffer: JobChange[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = manager.onJobChange(
    (change) => {
      if (!wanted(change)) return;
      buffer.push(change);
      if (buffer.length > maxBuffered) buffer.shift();
      wake?.();
    },
    { watch: options.watch ?? true },
  );
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = buffer.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
