import { JOB_STATUSES, type JobStatus } from '@scrape-jobs/domain';
import { formatNumber } from '../../lib/format.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { trpc } from '../../trpc.ts';

/** How many jobs are in each status (for the domain filter, if any); a click filters by it. */
export function StatusCounts({ domain, selected, onToggle }: { domain: string; selected: JobStatus[]; onToggle: (status: JobStatus) => void }) {
  const refetchInterval = useRefetchInterval();
  const stats = trpc.scrapeJobs.stats.useQuery(domain ? { domain } : undefined, { refetchInterval });
  const counts = stats.data?.statusBreakdown;
  return (
    <div className="status-counts" role="group" aria-label="Jobs per status">
      <span className="status-count-total">
        {stats.isError ? 'Counts unavailable' : counts ? `${formatNumber(stats.data?.overview.totalJobs)} jobs` : 'Counting…'}
      </span>
      {JOB_STATUSES.map((status) => (
        <button
          key={status}
          type="button"
          className={`count-chip status-${status}`}
          aria-pressed={selected.includes(status)}
          onClick={() => onToggle(status)}
          data-testid={`count-${status}`}
        >
          {status} <strong>{counts ? formatNumber(counts[status]) : '…'}</strong>
        </button>
      ))}
    </div>
  );
}
