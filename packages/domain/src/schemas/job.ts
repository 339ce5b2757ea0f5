import type { JobFieldChanges, JobHistoryAction } from '../job-history-action.ts';
import type { JobStatus } from '../job-status.ts';
import type { JobType } from '../job-type.ts';
import type { JobConfig } from './config.ts';
import type { JobStats } from './stats.ts';

/** A timestamp as the API sends it: ISO-8601 UTC with milliseconds. */
export type IsoTimestamp = string;

/** A scrape job as REST and tRPC return it (field names exactly as in the contract). */
export interface ScrapeJob {
  id: string;
  domain_id: string | null;
  /** The tenant/customer the job belongs to. */
  customer_config_id: string | null;
  domain: string;
  job_type: JobType;
  status: JobStatus;
  /** 1–10; 10 is most urgent. */
  priority: number;
  retry_count: number;
  max_retries: number;
  config: JobConfig;
  metadata: Record<string, unknown>;
  stats: JobStats;
  started_at: IsoTimestamp | null;
  completed_at: IsoTimestamp | null;
  error_message: string | null;
  /** The worker that holds the claim, or that ran the job last; cleared when it goes back to pending. */
  worker_id: string | null;
  claimed_at: IsoTimestamp | null;
  /** When the claim lapses unless the worker updates the job again. */
  claim_expires_at: IsoTimestamp | null;
  /** A pending job is not claimable before this (a retry waiting out its delay). */
  available_at: IsoTimestamp;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/**
 * What a claim returns: the job plus the claim token. The token is the worker's proof of
 * ownership: every worker write presents it, and it is never shown in other reads.
 */
export interface ClaimedJob extends ScrapeJob {
  claim_token: string;
}

/** One row of a job's history (its audit trail): one change to the job. Append-only. */
export interface JobHistoryEntry {
  id: number;
  job_id: string;
  /** What kind of change (see JOB_HISTORY_ACTIONS). */
  action: JobHistoryAction;
  /** The status before the change; null for the creation of the job. */
  from_status: JobStatus | null;
  /** The status after it (equal to from_status when the change kept the status). */
  to_status: JobStatus;
  /** `api`, `key:<key id>`, `worker:<id>`, `system`, … */
  actor: string;
  /** The API key the change was made with; null for open access and the system's own changes. */
  key_id: string | null;
  /** The request that made the change (its X-Request-ID); null outside a request (the sweep). */
  request_id: string | null;
  reason: string | null;
  /** Every column the change wrote a new value to, old → new. */
  changes: JobFieldChanges;
  at: IsoTimestamp;
}

/** What the change feed carries for every write to a job. */
export interface JobChange {
  job_id: string;
  domain: string;
  customer_config_id: string | null;
  /** null when the job was just created. */
  old_status: JobStatus | null;
  new_status: JobStatus;
  updated_at: IsoTimestamp;
}
