import type { JobStatsReport } from '@scrape-jobs/domain';

type Recommendation = NonNullable<JobStatsReport['recommendations']>[number];

/**
 * Advice for one domain, each item triggered by a measured figure (never invented): a
 * report without data gets none.
 */
export function recommendationsFor(report: Omit<JobStatsReport, 'recommendations'>): Recommendation[] {
  const { overview, performance, retryAnalysis, timeMetrics, errorAnalysis } = report;
  const finished = overview.completedJobs + overview.failedJobs + overview.cancelledJobs;
  const out: Recommendation[] = [];
  if (finished >= 3 && overview.successRate < 50) {
    out.push({ type: 'reliability', priority: 'high', message: `Only ${overview.successRate}% of finished jobs completed; check the most common error before scheduling more.` });
  } else if (finished >= 3 && overview.successRate < 80) {
    out.push({ type: 'reliability', priority: 'medium', message: `${overview.successRate}% of finished jobs completed; consider a longer timeout or a larger delay.` });
  }
  const top = errorAnalysis.commonErrors[0];
  if (top && top.count >= 2) {
    out.push({ type: 'errors', priority: top.percentage >= 50 ? 'high' : 'medium', message: `"${top.error}" caused ${top.count} failures (${top.percentage}%).` });
  }
  const requests = performance.successfulRequests + performance.failedRequests;
  if (requests >= 20 && performance.requestSuccessRate < 90) {
    out.push({ type: 'requests', priority: 'medium', message: `${performance.requestSuccessRate}% of requests succeeded; the site may be rate limiting: raise config.delay.` });
  }
  if (retryAnalysis.jobsWithRetries >= 2 && retryAnalysis.retrySuccessRate < 50) {
    out.push({ type: 'retries', priority: 'low', message: `Retries rescued ${retryAnalysis.retrySuccessRate}% of retried jobs; lowering max_retries would free workers sooner.` });
  }
  if (timeMetrics.slowestJob > 0 && timeMetrics.medianJobDuration > 0 && timeMetrics.slowestJob > 5 * timeMetrics.medianJobDuration) {
    out.push({ type: 'performance', priority: 'low', message: `The slowest job took ${timeMetrics.slowestJob}s against a median of ${timeMetrics.medianJobDuration}s; cap it with config.maxPages or config.depth.` });
  }
  return out;
}
