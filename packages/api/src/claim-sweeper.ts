import type { ScrapeJobManager } from './scrape-job-manager.ts';

export interface ClaimSweeper {
  stop(): Promise<void>;
}

/**
 * Releases expired claims every `intervalMs`. Runs are never concurrent; an error (the
 * database away) is reported and the next run tries again.
 */
export function startClaimSweeper(
  manager: Pick<ScrapeJobManager, 'releaseExpiredClaims'>,
  options: { intervalMs: number; onRelease?: (count: number) => void; onError?: (error: unknown) => void },
): ClaimSweeper {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= manager
      .releaseExpiredClaims()
      .then((released) => {
        if (released.length > 0) options.onRelease?.(released.length);
      })
      .catch((error) => options.onError?.(error))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
