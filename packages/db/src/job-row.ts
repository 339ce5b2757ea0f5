import type { ClaimedJob, JobFieldChanges, JobHistoryAction, JobHistoryEntry, JobStatus, ScrapeJob } from '@scrape-jobs/domain';

/** A `scrape_jobs` row as raw SQL returns it through either driver adapter. */
export interface JobRow {
  id: string;
  domain_id: string | null;
  customer_config_id: string | null;
  domain: string;
  job_type: ScrapeJob['job_type'];
  status: JobStatus;
  priority: number;
  retry_count: number;
  max_retries: number;
  config: unknown;
  metadata: unknown;
  stats: unknown;
  started_at: Date | null;
  completed_at: Date | null;
  error_message: string | null;
  worker_id: string | null;
  claimed_at: Date | null;
  claim_token: string | null;
  claim_expires_at: Date | null;
  available_at: Date;
  created_at: Date;
  updated_at: Date;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** The API's view of a row. The claim token stays inside: only a claim returns it. */
export function toScrapeJob(row: JobRow): ScrapeJob {
  return {
    id: row.id,
    domain_id: row.domain_id,
    customer_config_id: row.customer_config_id,
    domain: row.domain,
    job_type: row.job_type,
    status: row.status,
    priority: row.priority,
    retry_count: row.retry_count,
    max_retries: row.max_retries,
    config: row.config as ScrapeJob['config'],
    metadata: row.metadata as ScrapeJob['metadata'],
    stats: row.stats as ScrapeJob['stats'],
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
    error_message: row.error_message,
    worker_id: row.worker_id,
    claimed_at: iso(row.claimed_at),
    claim_expires_at: iso(row.claim_expires_at),
    available_at: iso(row.available_at)!,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

export function toClaimedJob(row: JobRow): ClaimedJob {
  return { ...toScrapeJob(row), claim_token: row.claim_token! };
}

export interface HistoryRow {
  id: bigint | number;
  job_id: string;
  action: JobHistoryAction;
  from_status: JobStatus | null;
  to_status: JobStatus;
  actor: string;
  key_id: string | null;
  request_id: string | null;
  reason: string | null;
  changes: JobFieldChanges;
  at: Date;
}

export function toHistoryEntry(row: HistoryRow): JobHistoryEntry {
  return {
    id: Number(row.id),
    job_id: row.job_id,
    action: row.action,
    from_status: row.from_status,
    to_status: row.to_status,
    actor: row.actor,
    key_id: row.key_id,
    request_id: row.request_id,
    reason: row.reason,
    changes: row.changes,
    at: iso(row.at)!,
  };
}
