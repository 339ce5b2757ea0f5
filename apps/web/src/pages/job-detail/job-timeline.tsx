import type { JobHistoryEntry } from '@scrape-jobs/domain';
import { StatusBadge } from '../../components/status-badge.tsx';
import { Empty, ErrorNotice, Loading } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { trpc } from '../../trpc.ts';

/** A changed value in one line: scalars as they are, objects and arrays as compact JSON, cut short. */
function shortValue(value: unknown): string {
  const text = value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function Entry({ entry }: { entry: JobHistoryEntry }) {
  const changes = Object.entries(entry.changes).filter(([field]) => field !== 'status');
  return (
    <li className="timeline-entry" data-to={entry.to_status} data-action={entry.action}>
      <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      <div className="timeline-move">
        <span className="timeline-action">{entry.action.replace('_', ' ')}</span>
        {entry.from_status && entry.from_status !== entry.to_status && (
          <>
            <StatusBadge status={entry.from_status} />
            <span aria-label="to">→</span>
          </>
        )}
        <StatusBadge status={entry.to_status} />
      </div>
      <div className="timeline-who">
        by {entry.actor}
        {entry.request_id && <span className="muted"> · request {entry.request_id}</span>}
      </div>
      {entry.reason && <div className="timeline-why">{entry.reason}</div>}
      {changes.length > 0 && (
        <details className="timeline-changes">
          <summary>{changes.length === 1 ? '1 field changed' : `${changes.length} fields changed`}</summary>
          <dl>
            {changes.map(([field, change]) => (
              <div key={field}>
                <dt>{field}</dt>
                <dd>
                  {shortValue(change.old)} → {shortValue(change.new)}
                </dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </li>
  );
}

/** Every change to the job (what, who, when, why, which fields), oldest first. */
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
