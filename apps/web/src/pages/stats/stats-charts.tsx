import { JOB_STATUSES, JOB_TYPES, type JobStatsReport } from '@scrape-jobs/domain';
import { BarList, ColumnChart, Donut } from '../../components/charts.tsx';
import type { ReactNode } from 'react';
import { formatNumber, formatPercent, formatSeconds, humanize } from '../../lib/format.ts';

function Panel({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <section className={`card ${wide ? 'card-wide' : ''}`} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Figures({ rows }: { rows: Array<[string, string]> }) {
  return (
    <dl className="figures">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Status, type, priority and trend charts, and the performance, time and retry figures. */
export function StatsCharts({ report }: { report: JobStatsReport }) {
  const { trends, performance, timeMetrics, retryAnalysis } = report;
  const windows = [
    ['Last 24 h', trends.last24Hours],
    ['Last 7 days', trends.last7Days],
    ['Last 30 days', trends.last30Days],
  ] as const;
  return (
    <div className="card-grid">
      <Panel title="Status breakdown">
        <Donut
          label="Jobs by status"
          centre={formatNumber(report.overview.totalJobs)}
          items={JOB_STATUSES.map((status) => ({ label: status, value: report.statusBreakdown[status] ?? 0, tone: status }))}
        />
      </Panel>
      <Panel title="Job types">
        <BarList label="Jobs by type" items={JOB_TYPES.map((type) => ({ label: humanize(type), value: report.jobTypeBreakdown[type] ?? 0 }))} format={(v) => formatNumber(v)} />
      </Panel>
      <Panel title="Priority distribution">
        <ColumnChart
          label="Jobs by priority"
          groups={Array.from({ length: 10 }, (_, i) => String(i + 1)).map((p) => ({ label: p, values: [{ label: 'jobs', value: report.priorityDistribution[p] ?? 0 }] }))}
        />
      </Panel>
      <Panel title="Trends" wide>
        <ColumnChart
          label="Jobs created and completed per window"
          groups={windows.map(([label, w]) => ({
            label,
            values: [
              { label: 'created', value: w.jobsCreated, tone: 'accent' },
              { label: 'completed', value: w.jobsCompleted, tone: 'completed' },
            ],
          }))}
        />
        <table className="compact-table">
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col" className="numeric">Created</th>
              <th scope="col" className="numeric">Completed</th>
              <th scope="col" className="numeric">Success rate</th>
            </tr>
          </thead>
          <tbody>
            {windows.map(([label, w]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className="numeric">{formatNumber(w.jobsCreated)}</td>
                <td className="numeric">{formatNumber(w.jobsCompleted)}</td>
                <td className="numeric">{formatPercent(w.successRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Panel title="Performance">
        <Figures
          rows={[
            ['Pages processed', formatNumber(performance.totalPagesProcessed)],
            ['Pages per job', formatNumber(performance.avgPagesPerJob, 1)],
            ['Speed', `${formatNumber(performance.avgProcessingSpeed, 2)} pages/s`],
            ['Requests ok / failed', `${formatNumber(performance.successfulRequests)} / ${formatNumber(performance.failedRequests)}`],
            ['Request success', formatPercent(performance.requestSuccessRate)],
          ]}
        />
      </Panel>
      <Panel title="Time">
        <Figures
          rows={[
            ['Average duration', formatSeconds(timeMetrics.avgJobDuration)],
            ['Median duration', formatSeconds(timeMetrics.medianJobDuration)],
            ['Fastest / slowest', `${formatSeconds(timeMetrics.fastestJob)} / ${formatSeconds(timeMetrics.slowestJob)}`],
            ['Average wait in queue', formatSeconds(timeMetrics.avgWaitTime)],
          ]}
        />
      </Panel>
      <Panel title="Retries">
        <Figures
          rows={[
            ['Jobs with retries', formatNumber(retryAnalysis.jobsWithRetries)],
            ['Total retries', formatNumber(retryAnalysis.totalRetries)],
            ['Retries per failed job', formatNumber(retryAnalysis.avgRetriesPerFailedJob, 2)],
            ['Retried, then completed', formatPercent(retryAnalysis.retrySuccessRate)],
          ]}
        />
      </Panel>
    </div>
  );
}
