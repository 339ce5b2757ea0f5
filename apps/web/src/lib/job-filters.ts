/**
 * The jobs list's filters, sorting and page, read from and written to the URL query, and
 * turned into `scrapeJobs.list` input. Unknown values in a hand-edited URL are ignored.
 */
import { JOB_STATUSES, JOB_TYPES, LIST_ORDER_FIELDS, type JobStatus, type JobType, type ListJobsInput } from '@scrape-jobs/domain';

export type OrderField = (typeof LIST_ORDER_FIELDS)[number];
export const PAGE_SIZES = [10, 25, 50, 100] as const;

export interface JobFilters {
  statuses: JobStatus[];
  domain: string;
  jobType: JobType | '';
  orderBy: OrderField;
  direction: 'asc' | 'desc';
  /** 1-based. */
  page: number;
  limit: number;
}

export const DEFAULT_FILTERS: JobFilters = { statuses: [], domain: '', jobType: '', orderBy: 'created_at', direction: 'desc', page: 1, limit: 25 };

const oneOf = <T extends string>(list: readonly T[], value: string | null): T | undefined =>
  value !== null && (list as readonly string[]).includes(value) ? (value as T) : undefined;

export function filtersFromSearch(search: URLSearchParams): JobFilters {
  const statuses = (search.get('status') ?? '')
    .split(',')
    .map((s) => oneOf(JOB_STATUSES, s.trim()))
    .filter((s): s is JobStatus => s !== undefined);
  const page = Number(search.get('page'));
  const limit = Number(search.get('limit'));
  return {
    statuses: [...new Set(statuses)],
    domain: (search.get('domain') ?? '').trim().toLowerCase(),
    jobType: oneOf(JOB_TYPES, search.get('job_type')) ?? '',
    orderBy: oneOf(LIST_ORDER_FIELDS, search.get('order_by')) ?? DEFAULT_FILTERS.orderBy,
    direction: search.get('dir') === 'asc' ? 'asc' : 'desc',
    page: Number.isInteger(page) && page > 0 ? page : 1,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_FILTERS.limit,
  };
}

/** The query for these filters, leaving out the defaults so links stay short. */
export function searchFromFilters(f: JobFilters): Record<string, string | undefined> {
  return {
    status: f.statuses.length ? f.statuses.join(',') : undefined,
    domain: f.domain || undefined,
    job_type: f.jobType || undefined,
    order_by: f.orderBy === DEFAULT_FILTERS.orderBy ? undefined : f.orderBy,
    dir: f.direction === DEFAULT_FILTERS.direction ? undefined : f.direction,
    page: f.page > 1 ? String(f.page) : undefined,
    limit: f.limit === DEFAULT_FILTERS.limit ? undefined : String(f.limit),
  };
}

export function listInput(f: JobFilters): ListJobsInput {
  return {
    ...(f.statuses.length ? { status: f.statuses } : {}),
    ...(f.domain ? { domain: f.domain } : {}),
    ...(f.jobType ? { job_type: f.jobType } : {}),
    order_by: f.orderBy,
    order_direction: f.direction,
    limit: f.limit,
    offset: (f.page - 1) * f.limit,
  };
}
