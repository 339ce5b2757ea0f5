import type { Prisma } from '../open-database.ts';

/**
 * Moves the job changes appended since the last fold into the stats rollups
 * (`job_stats_fold()`, migration 20261203070000_job_stats_deferred) and returns how many it
 * moved; 0 at once while another fold runs. Reads are exact either way (they add what is
 * pending): folding keeps them cheap.
 */
export async function foldJobStats(prisma: Prisma): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ moved: number }>>`SELECT job_stats_fold() AS moved`;
  return row?.moved ?? 0;
}
