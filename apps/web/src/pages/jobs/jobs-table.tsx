import type { ScrapeJob } from '@scrape-jobs/domain';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatDateTime, formatRelative, humanize } from '../../lib/format.ts';
import type { JobFilters, OrderField } from '../../lib/job-filters.ts';
import { Link } from '../../router.tsx';

interface Props {
  jobs: ScrapeJob[];
  filters: JobFilters;
  now: number;
  onSort: (field: OrderField) => void;
}

function SortHeader({ field, label, filters, onSort }: { field: OrderField; label: string; filters: JobFilters; onSort: (f: OrderField) => void }) {
  const active = filters.orderBy === field;
  const sort = active ? (filters.direction === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th scope="col" aria-sort={sort}>
      <button type="button" className="sort-button" onClick={() => onSort(field)}>
        {label}
        <span aria-hidden="true" className="sort-arrow">
          {active ? (filters.direction === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

/** One row per job; the domain opens the job. Sortable by the contract's order fields. */
export function JobsTable({ jobs, filters, now, onSort }: Props) {
  return (
    <div className="table-scroll">
      <table className="jobs-table">
        <thead>
          <tr>
            <th scope="col">Domain</th>
            <th scope="col">Type</th>
            <SortHeader field="status" label="Status" filters={filters} onSort={onSort} />
            <SortHeader field="priority" label="Priority" filters={filters} onSort={onSort} />
            <th scope="col">Progress</th>
            <th scope="col" className="numeric">Retries</th>
            <th scope="col">Worker</th>
            <SortHeader field="created_at" label="Created" filters={filters} onSort={onSort} />
            <SortHeader field="updated_at" label="Updated" filters={filters} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-job-id={job.id} data-status={job.status}>
              <td className="cell-domain">
                <Link href={`/jobs/${job.id}`}>{job.domain}</Link>
              </td>
              <td>{humanize(job.job_type)}</td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>{job.priority}</td>
              <td className="cell-progress">
                <ProgressBar compact status={job.status} done={job.stats.pagesProcessed} total={job.stats.totalPages} limit={job.config.maxPages} />
              </td>
              <td className="numeric">
                {job.retry_count}/{job.max_retries}
              </td>
              <td className="cell-worker">{job.worker_id ?? '—'}</td>
              <td title={formatDateTime(job.created_at)}>{formatRelative(job.created_at, now)}</td>
              <td title={formatDateTime(job.updated_at)}>{formatRelative(job.updated_at, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
