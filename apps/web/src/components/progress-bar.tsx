import type { JobStatus } from '@scrape-jobs/domain';

export interface ProgressInput {
  /** stats.pagesProcessed */
  done?: number | undefined;
  /** stats.totalPages: pages found so far (may exceed the limit). */
  total?: number | undefined;
  /** config.maxPages: the most the job will fetch. */
  limit?: number | undefined;
  status: JobStatus;
}

export interface Progress {
  /** 0–100, or null when the total is unknown. */
  percent: number | null;
  done: number;
  /** What the job is expected to fetch: the total found, capped by the limit. */
  expected: number | null;
  label: string;
}

export function progressOf({ done = 0, total, limit, status }: ProgressInput): Progress {
  const found = total && total > 0 ? total : null;
  const expected = found === null ? null : limit && limit > 0 ? Math.min(found, limit) : found;
  let percent = expected === null ? null : Math.min(100, Math.max(0, (done / expected) * 100));
  if (status === 'completed') percent = 100;
  const label = expected === null ? `${done} ${done === 1 ? 'page' : 'pages'}` : `${done} / ${expected} pages`;
  return { percent, done, expected, label };
}

/** Pages done out of the pages expected, as a bar and in words. */
export function ProgressBar(props: ProgressInput & { compact?: boolean }) {
  const progress = progressOf(props);
  const { percent, label } = progress;
  const rounded = percent === null ? null : Math.round(percent);
  return (
    <div className={`progress ${props.compact ? 'progress-compact' : ''}`}>
      <div
        className={`progress-track ${props.status === 'running' ? 'progress-running' : ''} progress-${props.status}`}
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded ?? undefined}
        aria-valuetext={rounded === null ? label : `${rounded}% (${label})`}
      >
        <div className="progress-fill" style={{ width: `${percent ?? 0}%` }} />
      </div>
      <span className="progress-label">
        {label}
        {rounded !== null && !props.compact ? ` · ${rounded}%` : ''}
      </span>
    </div>
  );
}
