import { keepPreviousData } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useIdentity } from '../../auth/identity.tsx';
import { deniedReason } from '../../auth/permissions.ts';
import { Empty, ErrorNotice, Loading } from '../../components/states.tsx';
import { filtersFromSearch, listInput, searchFromFilters, type JobFilters, type OrderField } from '../../lib/job-filters.ts';
import { useNow } from '../../lib/use-now.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { hrefWith, Link, navigate } from '../../router.tsx';
import { trpc } from '../../trpc.ts';
import { JobFiltersBar } from './job-filters-bar.tsx';
import { JobsTable } from './jobs-table.tsx';
import { Pagination } from './pagination.tsx';
import { StatusCounts } from './status-counts.tsx';

/** The jobs list: counts per status, filters, a sortable live table, pages. */
export function JobsPage({ search }: { search: URLSearchParams }) {
  const filters = filtersFromSearch(search);
  const createDenied = deniedReason(useIdentity(), 'jobs:write', 'create jobs');
  const refetchInterval = useRefetchInterval();
  const now = useNow(5000);
  const list = trpc.scrapeJobs.list.useQuery(listInput(filters), { refetchInterval, placeholderData: keepPreviousData });
  const recent = trpc.scrapeJobs.list.useQuery({ limit: 200, order_by: 'updated_at' }, { refetchInterval: 60_000, staleTime: 30_000 });
  const knownDomains = useMemo(() => [...new Set((recent.data?.jobs ?? []).map((j) => j.domain))].sort(), [recent.data]);

  const key = search.toString();
  const update = useCallback(
    (next: Partial<JobFilters>) => {
      const current = filtersFromSearch(new URLSearchParams(key));
      // Any change but paging starts again at page 1.
      const merged = { ...current, page: 1, ...next };
      navigate(hrefWith('/', searchFromFilters(merged)), { replace: !('page' in next) });
    },
    [key],
  );
  const onSort = (field: OrderField) =>
    update({ orderBy: field, direction: filters.orderBy === field && filters.direction === 'desc' ? 'asc' : 'desc' });
  const toggleStatus = (status: JobFilters['statuses'][number]) =>
    update({ statuses: filters.statuses.includes(status) ? filters.statuses.filter((s) => s !== status) : [...filters.statuses, status] });

  const filtered = filters.statuses.length > 0 || filters.domain !== '' || filters.jobType !== '';
  return (
    <section aria-labelledby="jobs-title">
      <div className="page-head">
        <h1 id="jobs-title">Jobs</h1>
        {createDenied ? (
          <button type="button" className="button button-primary" disabled title={createDenied}>
            + New job
          </button>
        ) : (
          <Link href="/new" className="button button-primary">
            + New job
          </Link>
        )}
      </div>
      <StatusCounts domain={filters.domain} selected={filters.statuses} onToggle={toggleStatus} />
      <JobFiltersBar filters={filters} knownDomains={knownDomains} onChange={update} />
      {list.isPending ? (
        <Loading what="jobs" />
      ) : list.isError ? (
        <ErrorNotice error={list.error} what="the jobs" onRetry={() => void list.refetch()} />
      ) : list.data.jobs.length === 0 ? (
        <Empty>
          {filtered ? 'No jobs match these filters.' : 'No jobs yet.'}
          {!createDenied && (
            <>
              {' '}
              <Link href="/new">Create a job</Link>
              {filtered ? ' or clear the filters.' : ' to get started.'}
            </>
          )}
        </Empty>
      ) : (
        <>
          <JobsTable jobs={list.data.jobs} filters={filters} now={now} onSort={onSort} />
          <Pagination page={filters.page} limit={filters.limit} total={list.data.pagination.total} shown={list.data.jobs.length} onPage={(page) => update({ page })} />
        </>
      )}
    </section>
  );
}
