import type { ScrapeJob } from '@scrape-jobs/domain';
import { JsonView } from '../../components/json-view.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { ErrorNotice, Loading } from '../../components/states.tsx';
import { domainCodeOf } from '../../lib/errors.ts';
import { humanize } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { Link } from '../../router.tsx';
import { trpc } from '../../trpc.ts';
import { JobActions } from './job-actions.tsx';
import { JobErrors } from './job-errors.tsx';
import { JobStatsBlocks } from './job-stats-blocks.tsx';
import { JobSummary } from './job-summary.tsx';
import { JobTimeline } from './job-timeline.tsx';
import { PageResults } from './page-results.tsx';

/** One job, live: what the user's JobMonitor shows, and its history, pages and settings. */
export function JobDetailPage({ id }: { id: string }) {
  const refetchInterval = useRefetchInterval();
  const now = useNow(1000);
  const query = trpc.scrapeJobs.get.useQuery({ id }, { refetchInterval, retry: (count, error) => domainCodeOf(error) !== 'NOT_FOUND' && domainCodeOf(error) !== 'VALIDATION' && count < 2 });

  if (query.isPending) return <Loading what="the job" />;
  if (query.isError) {
    const code = domainCodeOf(query.error);
    return (
      <section>
        <p>
          <Link href="/">← All jobs</Link>
        </p>
        {code === 'NOT_FOUND' ? (
          <div className="state state-error" role="alert">
            <h1>Job not found</h1>
            <p>No job has the id {id}. It may have been removed, or the link is mistyped.</p>
          </div>
        ) : (
          <ErrorNotice error={query.error} what="the job" onRetry={() => void query.refetch()} />
        )}
      </section>
    );
  }

  const job: ScrapeJob = query.data;
  const stats = job.stats;
  return (
    <article className="job-detail" aria-labelledby="job-title" data-job-id={job.id} data-status={job.status}>
      <p className="breadcrumb">
        <Link href="/">← All jobs</Link>
      </p>
      <header className="job-head">
        <div>
          <h1 id="job-title">
            {job.domain} <StatusBadge status={job.status} />
          </h1>
          <p className="muted">
            {humanize(job.job_type)} · id <code>{job.id}</code>
          </p>
        </div>
        <JobActions job={job} />
      </header>

      <section className="card card-wide" aria-label="Progress">
        <ProgressBar status={job.status} done={stats.pagesProcessed} total={stats.totalPages} limit={job.config.maxPages} />
        {job.error_message && (
          <p className={job.status === 'cancelled' ? 'notice' : 'form-error'} data-testid="job-error-message">
            {job.status === 'cancelled' ? 'Reason' : 'Error'}: {job.error_message}
          </p>
        )}
      </section>

      <JobSummary job={job} now={now} />
      <JobStatsBlocks stats={stats} />
      <JobErrors errors={stats.errors} />
      <JobTimeline id={job.id} />
      <PageResults id={job.id} />
      <div className="card-grid card-grid-2">
        <section className="card" aria-labelledby="config-title">
          <h2 id="config-title">Config</h2>
          <JsonView value={job.config} label="config" />
        </section>
        <section className="card" aria-labelledby="metadata-title">
          <h2 id="metadata-title">Metadata</h2>
          <JsonView value={job.metadata} label="metadata" />
        </section>
      </div>
    </article>
  );
}
