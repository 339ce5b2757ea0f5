import type { ScrapeJob } from '@scrape-jobs/domain';
import { BarList } from '../../components/charts.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { Empty, ErrorNotice, Loading } from '../../components/states.tsx';
import { claimHealth, STALE_AFTER_MS, type ClaimHealth } from '../../lib/claim-health.ts';
import { errorSentence } from '../../lib/errors.ts';
import { formatDuration, formatNumber, formatRelative, humanize } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { Link } from '../../router.tsx';
import { trpc } from '../../trpc.ts';

const PENDING_SAMPLE = 500;

function HealthBadge({ health }: { health: ClaimHealth }) {
  if (health.state === 'expired') return <span className="badge badge-bad">claim expired — waiting for the sweep</span>;
  if (health.state === 'stale') return <span className="badge badge-warning">no heartbeat for {formatDuration(health.silentMs)}</span>;
  return <span className="badge badge-ok">heartbeat ok</span>;
}

function RunningJobs({ jobs, now }: { jobs: ScrapeJob[]; now: number }) {
  if (jobs.length === 0) return <Empty>No job is running.</Empty>;
  return (
    <div className="table-scroll">
      <table className="queue-table">
        <thead>
          <tr>
            <th scope="col">Domain</th>
            <th scope="col">Worker</th>
            <th scope="col">Claimed</th>
            <th scope="col">Last heard</th>
            <th scope="col">Claim expires</th>
            <th scope="col">Progress</th>
            <th scope="col">Health</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const health = claimHealth(job, now);
            return (
              <tr key={job.id} data-job-id={job.id} data-health={health.state}>
                <td className="cell-domain">
                  <Link href={`/jobs/${job.id}`}>{job.domain}</Link>
                  <div className="muted">{humanize(job.job_type)}</div>
                </td>
                <td className="cell-worker">{job.worker_id ?? '—'}</td>
                <td>{health.ageMs === null ? '—' : `${formatDuration(health.ageMs)} ago`}</td>
                <td>{formatRelative(job.updated_at, now)}</td>
                <td>{formatRelative(job.claim_expires_at, now)}</td>
                <td className="cell-progress">
                  <ProgressBar compact status={job.status} done={job.stats.pagesProcessed} total={job.stats.totalPages} limit={job.config.maxPages} />
                </td>
                <td>
                  <HealthBadge health={health} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Workers({ jobs, now }: { jobs: ScrapeJob[]; now: number }) {
  const byWorker = new Map<string, ScrapeJob[]>();
  for (const job of jobs) byWorker.set(job.worker_id ?? 'unknown', [...(byWorker.get(job.worker_id ?? 'unknown') ?? []), job]);
  if (byWorker.size === 0) return <p className="muted">No worker holds a claim right now. Idle workers are not listed: they only show up when they claim a job.</p>;
  return (
    <ul className="workers">
      {[...byWorker].map(([worker, held]) => {
        const lastHeard = Math.max(...held.map((j) => Date.parse(j.updated_at)));
        return (
          <li key={worker}>
            <strong>{worker}</strong>: {held.length} {held.length === 1 ? 'job' : 'jobs'}, last heard {formatRelative(new Date(lastHeard).toISOString(), now)}
          </li>
        );
      })}
    </ul>
  );
}

/** What the workers are doing and what waits for them. */
export function QueuePage() {
  const refetchInterval = useRefetchInterval();
  const now = useNow(1000);
  const running = trpc.scrapeJobs.list.useQuery({ status: ['running'], order_by: 'updated_at', order_direction: 'asc', limit: 200 }, { refetchInterval });
  const pending = trpc.scrapeJobs.list.useQuery({ status: ['pending'], order_by: 'priority', order_direction: 'desc', limit: PENDING_SAMPLE }, { refetchInterval });
  const next = trpc.queue.peek.useQuery(undefined, { refetchInterval });

  const pendingJobs = pending.data?.jobs ?? [];
  const waiting = pendingJobs.filter((j) => Date.parse(j.available_at) > now).length;
  const depth = Array.from({ length: 10 }, (_, i) => 10 - i).map((priority) => ({
    label: `priority ${priority}`,
    value: pendingJobs.filter((j) => j.priority === priority).length,
    tone: 'pending' as const,
  }));

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue</h1>
      <div className="card-grid card-grid-2">
        <section className="card" aria-labelledby="pending-title">
          <h2 id="pending-title">Pending {pending.data ? `(${formatNumber(pending.data.pagination.total)})` : ''}</h2>
          {pending.isPending ? (
            <Loading what="the queue" />
          ) : pending.isError ? (
            <ErrorNotice error={pending.error} what="the queue" />
          ) : pending.data.pagination.total === 0 ? (
            <Empty>The queue is empty.</Empty>
          ) : (
            <>
              <BarList label="Pending jobs by priority" items={depth} format={(v) => formatNumber(v)} />
              <p className="muted">
                {waiting > 0 ? `${formatNumber(waiting)} waiting out a retry delay. ` : ''}
                {pending.data.pagination.has_more ? `Counts are of the ${PENDING_SAMPLE} most urgent.` : ''}
              </p>
            </>
          )}
          <p data-testid="next-job">
            Next to be claimed:{' '}
            {next.data ? (
              <>
                <Link href={`/jobs/${next.data.id}`}>{next.data.domain}</Link> (priority {next.data.priority}, {humanize(next.data.job_type)})
              </>
            ) : next.isPending ? (
              '…'
            ) : next.isError ? (
              <span className="muted">{errorSentence(next.error)}</span>
            ) : (
              'nothing claimable now'
            )}
          </p>
        </section>
        <section className="card" aria-labelledby="workers-title">
          <h2 id="workers-title">Workers</h2>
          <Workers jobs={running.data?.jobs ?? []} now={now} />
          <p className="muted">A claim is flagged when its worker has been silent for more than {formatDuration(STALE_AFTER_MS)}.</p>
        </section>
      </div>
      <section className="card card-wide" aria-labelledby="running-title">
        <h2 id="running-title">Running {running.data ? `(${formatNumber(running.data.pagination.total)})` : ''}</h2>
        {running.isPending ? (
          <Loading what="running jobs" />
        ) : running.isError ? (
          <ErrorNotice error={running.error} what="running jobs" />
        ) : (
          <RunningJobs jobs={running.data.jobs} now={now} />
        )}
      </section>
    </section>
  );
}
