import type { Prisma } from '../open-database.ts';

/** The most changes one fold (one transaction) moves: its memory stays bounded. */
const FOLD_BATCH = 20_000;

/**
 * Moves the job changes appended since the last fold into the stats rollups
 * (`job_stats_fold()`, migration 20261203070000_job_stats_deferred), a batch at a time until
 * none is left, and returns how many it moved; 0 at once while another fold runs. Reads are
 * exact either way (they add what is pending): folding keeps them cheap.
 */
export async function foldJobStats(prisma: Prisma): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await prisma.$queryRaw<Array<{ moved: number }>>`SELECT job_stats_fold(${FOLD_BATCH}::int) AS moved`;
    const moved = row?.moved ?? 0;
    total += moved;
    if (moved < FOLD_BATCH) return total;
  }
}
