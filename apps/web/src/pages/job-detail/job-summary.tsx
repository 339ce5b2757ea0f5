import type { ScrapeJob } from '@scrape-jobs/domain';
import { formatDateTime, formatDuration, formatRelative, humanize, jobDurationMs } from '../../lib/format.ts';

/** Type, priority, retries, worker and the job's times. */
export function JobSummary({ job, now }: { job: ScrapeJob; now: number }) {
  const rows: Array<[string, string]> = [
    ['Type', humanize(job.job_type)],
    ['Priority', `${job.priority} of 10`],
    ['Retries', `${job.retry_count} / ${job.max_retries}`],
    ['Worker', job.worker_id ?? '—'],
    ['Created', formatDateTime(job.created_at)],
    ['Started', formatDateTime(job.started_at)],
    ['Completed', formatDateTime(job.completed_at)],
    ['Duration', job.started_at ? `${formatDuration(jobDurationMs(job, now))}${job.completed_at ? '' : ' so far'}` : '—'],
    ['Updated', `${formatDateTime(job.updated_at)} (${formatRelative(job.updated_at, now)})`],
  ];
  if (job.status === 'running') {
    rows.push(['Claimed', formatDateTime(job.claimed_at)], ['Claim expires', formatRelative(job.claim_expires_at, now)]);
  }
  if (job.status === 'pending' && Date.parse(job.available_at) > now) rows.push(['Claimable', formatRelative(job.available_at, now)]);
  return (
    <dl className="summary" data-testid="job-summary">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
