import { ColumnChart } from '../../components/charts.tsx';
import { Empty } from '../../components/states.tsx';
import { useRefetchInterval } from '../../live-updates.tsx';
import { trpc } from '../../trpc.ts';

const HOUR = 3_600_000;
const SAMPLE = 500;

/** Finished jobs per hour over the last 24 hours, from the most recently updated finished jobs. */
export function ThroughputChart({ domain, now }: { domain: string; now: number }) {
  const refetchInterval = useRefetchInterval();
  const recent = trpc.scrapeJobs.list.useQuery(
    { status: ['completed', 'failed'], order_by: 'updated_at', order_direction: 'desc', limit: SAMPLE, ...(domain ? { domain } : {}) },
    { refetchInterval: refetchInterval || 15_000 },
  );
  const currentHour = Math.floor(now / HOUR) * HOUR;
  const buckets = Array.from({ length: 24 }, (_, i) => ({ start: currentHour - (23 - i) * HOUR, completed: 0, failed: 0 }));
  for (const job of recent.data?.jobs ?? []) {
    if (!job.completed_at) continue;
    const index = 23 - Math.floor((currentHour - Math.floor(Date.parse(job.completed_at) / HOUR) * HOUR) / HOUR);
    const bucket = buckets[index];
    if (bucket) bucket[job.status === 'completed' ? 'completed' : 'failed']++;
  }
  const any = buckets.some((b) => b.completed + b.failed > 0);
  return (
    <section className="card card-wide" aria-label="Throughput">
      <h2>Throughput, last 24 hours</h2>
      <p className="muted">
        Jobs finished per hour{recent.data?.pagination.has_more ? ` (from the latest ${SAMPLE} finished jobs)` : ''}.
      </p>
      {!recent.data ? (
        <Empty>Loading…</Empty>
      ) : !any ? (
        <Empty>No job finished in the last 24 hours.</Empty>
      ) : (
        <ColumnChart
          label="Jobs finished per hour"
          labelEvery={3}
          groups={buckets.map((b) => ({
            label: `${String(new Date(b.start).getHours()).padStart(2, '0')}:00`,
            values: [
              { label: 'completed', value: b.completed, tone: 'completed' },
              { label: 'failed', value: b.failed, tone: 'failed' },
            ],
          }))}
        />
      )}
    </section>
  );
}
