import { runEvery, type Periodic } from './periodic.ts';
import type { ScrapeJobManager } from './scrape-job-manager.ts';

export type ClaimSweeper = Periodic;

/** Releases expired claims every `intervalMs` (runEvery: never concurrent, errors reported). */
export function startClaimSweeper(
  manager: Pick<ScrapeJobManager, 'releaseExpiredClaims'>,
  options: { intervalMs: number; onRelease?: (count: number) => void; onError?: (error: unknown) => void },
): ClaimSweeper {
  return runEvery(
    options.intervalMs,
    async () => {
      const released = await manager.releaseExpiredClaims();
      if (released.length > 0) options.onRelease?.(released.length);
    },
    options.onError,
  );
}
