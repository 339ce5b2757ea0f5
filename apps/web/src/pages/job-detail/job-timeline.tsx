import type { JobHistoryEntry } from '@scrape-jobs/domain';
import { StatusBadge } from '../../components/status-badge.tsx';
import { Empty, ErrorNotice, Loading } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { trpc } from '../../trpc.ts';

function Entry({ entry }: { entry: JobHistoryEntry }) {
  return (
    <li className="timeline-entry" data-to={entry.to_status}>
      <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      <div className="timeline-move">
        {entry.from_status ? <StatusBadge status={entry.from_status} /> : <span className="muted">created</span>}
        <span aria-label="to">→</span>
        <StatusBadge status={entry.to_status} />
      </div>
      <div className="timeline-who">by {entry.actor}</div>
      {entry.reason && <div className="timeline-why">{entry.reason}</div>}
    </li>
  );
}

/** Every transition of the job (who, when, why), oldest first. */
export function JobTimeline({ id }: { id: string }) {
  const refetchInterval = useRefetchInterval();
  const history = trpc.scrapeJobs.history.useQuery({ id }, { refetchInterval });
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {history.isPending ? (
        <Loading what="the history" />
      ) : history.isError ? (
        <ErrorNotice error={history.error} what="the history" />
      ) : history.data.length === 0 ? (
        <Empty>No history recorded.</Empty>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {history.data.map((entry) => (
            <Entry key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
    </section>
  );
}
