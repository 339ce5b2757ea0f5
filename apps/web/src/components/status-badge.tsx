import { JOB_STATUS_MEANING, type JobStatus } from '@scrape-jobs/domain';

/** The job's status as a coloured word; the tooltip says what the status means. */
export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge status-${status}`} data-status={status} title={JOB_STATUS_MEANING[status]}>
      <span className="badge-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
