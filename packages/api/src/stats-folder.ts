import { runEvery, type Periodic } from './periodic.ts';
import type { ScrapeJobManager } from './scrape-job-manager.ts';

/**
 * Folds the job changes pending in job_stats_changes into the stats rollups every
 * `intervalMs`, so that the reads, which add what is pending, stay cheap.
 */
export function startStatsFolder(
  manager: Pick<ScrapeJobManager, 'foldJobStats'>,
  options: { intervalMs: number; onError?: (error: unknown) => void },
): Periodic {
  return runEvery(
    options.intervalMs,
    async () => {
      await manager.foldJobStats();
    },
    options.onError,
  );
}
