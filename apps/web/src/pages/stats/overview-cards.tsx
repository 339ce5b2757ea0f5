import type { JobStatsReport } from '@scrape-jobs/domain';
import { formatNumber, formatPercent, formatSeconds } from '../../lib/format.ts';

function Card({ id, label, value, hint }: { id: string; label: string; value: string; hint?: string }) {
  return (
    <div className="stat-card" data-testid={`card-${id}`}>
      <span className="stat-label">{label}</span>
      <strong className="stat-value">{value}</strong>
      {hint && <span className="stat-hint">{hint}</span>}
    </div>
  );
}

export function OverviewCards({ report }: { report: JobStatsReport }) {
  const { overview, performance, timeMetrics } = report;
  const finished = overview.completedJobs + overview.failedJobs + overview.cancelledJobs;
  return (
    <div className="stat-cards" aria-label="Overview">
      <Card id="total-jobs" label="Total jobs" value={formatNumber(overview.totalJobs)} hint={`${formatNumber(overview.pendingJobs)} pending · ${formatNumber(overview.runningJobs)} running`} />
      <Card id="success-rate" label="Success rate" value={formatPercent(overview.successRate)} hint={`${formatNumber(overview.completedJobs)} of ${formatNumber(finished)} finished`} />
      <Card id="avg-completion" label="Avg completion time" value={formatSeconds(overview.avgCompletionTime)} hint={`median ${formatSeconds(timeMetrics.medianJobDuration)}`} />
      <Card id="pages-processed" label="Pages processed" value={formatNumber(performance.totalPagesProcessed)} hint={`${formatNumber(performance.avgPagesPerJob, 1)} per job`} />
      <Card id="failed-jobs" label="Failed jobs" value={formatNumber(overview.failedJobs)} hint={`${formatNumber(overview.cancelledJobs)} cancelled`} />
      <Card id="request-success" label="Request success" value={formatPercent(performance.requestSuccessRate)} hint={`${formatNumber(performance.failedRequests)} failed requests`} />
    </div>
  );
}
