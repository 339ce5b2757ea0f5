import { JOB_TYPES, type JobType } from '@scrape-jobs/domain';
import { useEffect, useState } from 'react';
import { DEFAULT_FILTERS, PAGE_SIZES, type JobFilters } from '../../lib/job-filters.ts';
import { humanize } from '../../lib/format.ts';

interface Props {
  filters: JobFilters;
  /** Domains seen recently, offered as suggestions. */
  knownDomains: string[];
  onChange: (next: Partial<JobFilters>) => void;
}

/** Domain, job type and page size (the status chips above filter by status). Every change lands in the URL. */
export function JobFiltersBar({ filters, knownDomains, onChange }: Props) {
  const [domain, setDomain] = useState(filters.domain);
  useEffect(() => setDomain(filters.domain), [filters.domain]);
  // The domain filter follows typing after a short pause.
  useEffect(() => {
    const value = domain.trim().toLowerCase();
    if (value === filters.domain) return;
    const timer = setTimeout(() => onChange({ domain: value }), 400);
    return () => clearTimeout(timer);
  }, [domain, filters.domain, onChange]);

  const filtered = filters.statuses.length > 0 || filters.domain || filters.jobType;

  return (
    <form className="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => (e.preventDefault(), onChange({ domain: domain.trim().toLowerCase() }))}>
      <label className="field">
        <span>Domain</span>
        <input type="search" name="domain" list="known-domains" placeholder="example.com" value={domain} onChange={(e) => setDomain(e.target.value)} autoComplete="off" />
        <datalist id="known-domains">
          {knownDomains.map((d) => (
            <option key={d} value={d} />
          ))}
        </datalist>
      </label>
      <label className="field">
        <span>Job type</span>
        <select name="job_type" value={filters.jobType} onChange={(e) => onChange({ jobType: e.target.value as JobType | '' })}>
          <option value="">All types</option>
          {JOB_TYPES.map((type) => (
            <option key={type} value={type}>
              {humanize(type)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Per page</span>
        <select name="limit" value={filters.limit} onChange={(e) => onChange({ limit: Number(e.target.value) })}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
      {filtered && (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => onChange({ statuses: [], domain: '', jobType: DEFAULT_FILTERS.jobType })}
        >
          Clear filters
        </button>
      )}
    </form>
  );
}
