import { z } from 'zod';
import { JOB_STATUSES, type JobStatus } from '../job-status.ts';
import { JOB_TYPES } from '../job-type.ts';
import { jobConfigSchema } from './config.ts';
import { domainSchema } from './domain-name.ts';
import { jsonObject } from './json-object.ts';
import { jobStatsPatchSchema } from './stats.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A job id: a UUID, checked before anything reaches the database. */
export const jobIdSchema = z
  .string({ error: 'Job id is required' })
  .regex(UUID, { error: 'Invalid job id: must be a UUID' })
  .transform((id) => id.toLowerCase());

/** The claim's secret, which every worker write presents. */
export const claimTokenSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'claim_token is required' : 'claim_token must be a string') })
  .regex(UUID, { error: 'Invalid claim_token' });

const optionalUuid = (field: string) =>
  z.string({ error: `${field} must be a UUID` }).regex(UUID, { error: `${field} must be a UUID` }).transform((v) => v.toLowerCase()).nullable().optional();

const statusSchema = z.enum(JOB_STATUSES, {
  error: (issue) => `Invalid status: ${JSON.stringify(issue.input)} (expected one of ${JOB_STATUSES.join(', ')})`,
});
const jobTypeSchema = z.enum(JOB_TYPES, {
  error: (issue) => `Invalid job_type: ${JSON.stringify(issue.input)} (expected one of ${JOB_TYPES.join(', ')})`,
});

const prioritySchema = z
  .number({ error: 'Priority must be between 1 and 10' })
  .int({ error: 'Priority must be between 1 and 10' })
  .min(1, { error: 'Priority must be between 1 and 10' })
  .max(10, { error: 'Priority must be between 1 and 10' });

const retryCountSchema = z
  .number({ error: 'Invalid retry_count: must be a non-negative integer' })
  .int({ error: 'Invalid retry_count: must be a non-negative integer' })
  .min(0, { error: 'Invalid retry_count: must be a non-negative integer' })
  .max(1000, { error: 'Invalid retry_count: must be at most 1000' });

const maxRetriesSchema = z
  .number({ error: 'Invalid max_retries: must be a non-negative integer' })
  .int({ error: 'Invalid max_retries: must be a non-negative integer' })
  .min(0, { error: 'Invalid max_retries: must be a non-negative integer' })
  .max(100, { error: 'Invalid max_retries: must be at most 100' });

const timestampSchema = (field: string) =>
  z.iso.datetime({ offset: true, error: `Invalid ${field}: must be an ISO-8601 timestamp` });

/**
 * A sanitised error message: control characters (C0 but tab and newline, DEL, C1) and
 * bidirectional overrides out, credentials in URLs redacted (the user-info part, and
 * secret-looking query parameters), capped at `maxLength` characters.
 */
export function sanitizeErrorMessage(message: string, maxLength = 2000): string {
  return message
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, '$1[redacted]@')
    .replace(/([?&](?:password|passwd|pwd|token|access_token|api_key|apikey|key|secret|signature|sig)=)[^&\s#]*/gi, '$1[redacted]')
    .trim()
    .slice(0, maxLength);
}

const errorMessageSchema = z
  .string({ error: 'error_message must be a string or null' })
  .max(10_000, { error: 'error_message must be at most 10000 characters' })
  .transform((message) => sanitizeErrorMessage(message))
  .nullable();

const unknownKeys = (what: string) => (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' ? `Unknown ${what}: ${(issue.keys ?? []).join(', ')}` : 'Request body must be a JSON object';

/** POST /api/scrape-jobs, `scrapeJobs.create`. */
export const createJobInputSchema = z.strictObject(
  {
    domain: domainSchema,
    job_type: jobTypeSchema.default('domain_scrape'),
    priority: prioritySchema.default(5),
    config: jobConfigSchema.default(() => jobConfigSchema.parse({})),
    metadata: jsonObject('metadata').default(() => ({})),
    max_retries: maxRetriesSchema.default(3),
    customer_config_id: optionalUuid('customer_config_id'),
    domain_id: optionalUuid('domain_id'),
  },
  { error: unknownKeys('field') },
);
export type CreateJobInput = z.input<typeof createJobInputSchema>;
export type CreateJob = z.output<typeof createJobInputSchema>;

/**
 * PUT /api/scrape-jobs/{id}, `scrapeJobs.update`: the user's UpdateScrapeJobOptions, plus
 * two fields for workers: `claim_token` makes it a fenced write (refused unless the caller
 * still holds the claim), and `retryable` marks a reported failure as worth an automatic retry.
 */
export const updateJobFieldsSchema = z.strictObject(
  {
    status: statusSchema.optional(),
    error_message: errorMessageSchema.optional(),
    stats: jobStatsPatchSchema.optional(),
    retry_count: retryCountSchema.optional(),
    started_at: timestampSchema('started_at').nullable().optional(),
    completed_at: timestampSchema('completed_at').nullable().optional(),
    metadata: jsonObject('metadata').optional(),
    claim_token: claimTokenSchema.optional(),
    retryable: z.boolean({ error: 'retryable must be true or false' }).optional(),
    /** With `retryable`: the site asked for at least this long (Retry-After). */
    retry_after_ms: z
      .number({ error: 'retry_after_ms must be a number' })
      .int({ error: 'retry_after_ms must be an integer' })
      .min(0, { error: 'retry_after_ms must not be negative' })
      .max(86_400_000, { error: 'retry_after_ms must be at most one day' })
      .optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown or read-only field: ${(issue.keys ?? []).join(', ')}` : 'Request body must be a JSON object') },
);
export type UpdateJobFields = z.output<typeof updateJobFieldsSchema>;
export const updateJobInputSchema = updateJobFieldsSchema.extend({ id: jobIdSchema });
export type UpdateJobInput = z.input<typeof updateJobInputSchema>;

export const DEFAULT_CANCEL_REASON = 'Cancelled via API';
export const cancelJobInputSchema = z.strictObject(
  {
    id: jobIdSchema,
    reason: z.string({ error: 'reason must be a string' }).max(500, { error: 'reason must be at most 500 characters' }).optional(),
  },
  { error: unknownKeys('field') },
);
export type CancelJobInput = z.input<typeof cancelJobInputSchema>;

export const retryJobInputSchema = z.strictObject(
  {
    id: jobIdSchema,
    reason: z.string({ error: 'reason must be a string' }).max(500, { error: 'reason must be at most 500 characters' }).optional(),
    retried_by: z
      .string({ error: 'retried_by must be a string' })
      .max(200, { error: 'retried_by must be at most 200 characters' })
      .transform((name) => sanitizeErrorMessage(name))
      .optional(),
  },
  { error: unknownKeys('field') },
);
export type RetryJobInput = z.input<typeof retryJobInputSchema>;

/** Query-string numbers arrive as text, tRPC numbers as numbers; both are accepted. */
export function queryInt(field: string, min: number, max: number) {
  return z
    .union([z.number(), z.string()], { error: `${field} must be a number` })
    .transform((value, ctx) => {
      const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `${field} must be an integer` });
        return z.NEVER;
      }
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${field} must be between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

export const LIST_ORDER_FIELDS = ['created_at', 'updated_at', 'status', 'priority'] as const;
export const MAX_LIST_LIMIT = 500;

/** GET /api/scrape-jobs, `scrapeJobs.list`. */
export const listJobsInputSchema = z.strictObject(
  {
    domain: z.string({ error: 'domain must be a string' }).max(260).transform((d) => d.trim().toLowerCase()).optional(),
    status: z
      .union([z.string(), z.array(z.string())], { error: 'status must be a comma-separated list' })
      .transform((value, ctx) => {
        const items = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
        const unknown = items.filter((s) => !(JOB_STATUSES as readonly string[]).includes(s));
        if (unknown.length > 0) {
          ctx.addIssue({ code: 'custom', message: `Invalid status: ${unknown.join(', ')} (expected one of ${JOB_STATUSES.join(', ')})` });
          return z.NEVER;
        }
        return [...new Set(items)] as JobStatus[];
      })
      .optional(),
    job_type: jobTypeSchema.optional(),
    customer_config_id: optionalUuid('customer_config_id'),
    limit: queryInt('limit', 1, MAX_LIST_LIMIT).default(50),
    offset: queryInt('offset', 0, 10_000_000).default(0),
    order_by: z
      .enum(LIST_ORDER_FIELDS, { error: (i) => `Invalid order_by: ${JSON.stringify(i.input)} (expected one of ${LIST_ORDER_FIELDS.join(', ')})` })
      .default('created_at'),
    order_direction: z
      .enum(['asc', 'desc'], { error: (i) => `Invalid order_direction: ${JSON.stringify(i.input)} (expected asc or desc)` })
      .default('desc'),
  },
  { error: unknownKeys('query parameter') },
);
export type ListJobsInput = z.input<typeof listJobsInputSchema>;
export type ListJobs = z.output<typeof listJobsInputSchema>;

/** A worker's name (`worker_id`, `X-Worker-ID`): it goes into the history as `worker:<id>`. */
export const workerIdSchema = z
  .string({ error: 'worker_id must be a string' })
  .trim()
  .min(1, { error: 'worker_id must not be empty' })
  .max(200, { error: 'worker_id must be at most 200 characters' })
  .regex(/^[\w.:@-]+$/, { error: 'worker_id may hold letters, digits and . : @ _ - only' });

/** POST /api/scrape-jobs/next, `queue.claim`. */
export const claimJobInputSchema = z.strictObject(
  {
    worker_id: workerIdSchema.optional(),
    /** Only jobs of these types; all types when absent. */
    job_types: z.array(jobTypeSchema, { error: 'job_types must be a list of job types' }).min(1, { error: 'job_types must name at least one job type' }).optional(),
  },
  { error: unknownKeys('field') },
);
export type ClaimJobInput = z.input<typeof claimJobInputSchema>;

/** The most jobs one batch claim or one batch completion takes. */
export const MAX_QUEUE_BATCH = 100;

/** POST /api/scrape-jobs/next/batch, `queue.claimBatch`: up to `limit` jobs in one claim. */
export const claimBatchInputSchema = z.strictObject(
  {
    ...claimJobInputSchema.shape,
    limit: z
      .number({ error: `Invalid limit: must be an integer from 1 to ${MAX_QUEUE_BATCH}` })
      .int({ error: `Invalid limit: must be an integer from 1 to ${MAX_QUEUE_BATCH}` })
      .min(1, { error: `Invalid limit: must be an integer from 1 to ${MAX_QUEUE_BATCH}` })
      .max(MAX_QUEUE_BATCH, { error: `Invalid limit: must be an integer from 1 to ${MAX_QUEUE_BATCH}` }),
  },
  { error: unknownKeys('field') },
);
export type ClaimBatchInput = z.input<typeof claimBatchInputSchema>;

/** POST /api/scrape-jobs/complete, `queue.completeBatch`: completes jobs under their claims. */
export const completeBatchInputSchema = z.strictObject(
  {
    jobs: z
      .array(
        z.strictObject(
          { id: jobIdSchema, claim_token: claimTokenSchema, stats: jobStatsPatchSchema.optional() },
          { error: unknownKeys('field') },
        ),
        { error: 'jobs must be a list of { id, claim_token, stats? }' },
      )
      .min(1, { error: 'jobs must hold at least one job' })
      .max(MAX_QUEUE_BATCH, { error: `jobs holds at most ${MAX_QUEUE_BATCH} jobs per call` })
      .refine((jobs) => new Set(jobs.map((job) => job.id)).size === jobs.length, { error: 'jobs must not name a job twice' }),
  },
  { error: unknownKeys('field') },
);
export type CompleteBatchInput = z.input<typeof completeBatchInputSchema>;

/** `queue.heartbeat`: extends the claim and merges progress stats. */
export const heartbeatInputSchema = z.strictObject(
  {
    id: jobIdSchema,
    claim_token: claimTokenSchema,
    stats: jobStatsPatchSchema.optional(),
  },
  { error: unknownKeys('field') },
);
export type HeartbeatInput = z.input<typeof heartbeatInputSchema>;

/** GET /api/scrape-jobs/stats, `scrapeJobs.stats`. */
export const statsInputSchema = z.strictObject(
  {
    domain: z.string({ error: 'domain must be a string' }).max(260).transform((d) => d.trim().toLowerCase()).optional(),
    customer_config_id: optionalUuid('customer_config_id'),
  },
  { error: unknownKeys('query parameter') },
);
export type StatsInput = z.input<typeof statsInputSchema>;

/** `scrapeJobs.history`. */
export const jobIdInputSchema = z.strictObject({ id: jobIdSchema }, { error: unknownKeys('field') });

/** GET /api/scrape-jobs/{id}/results, `scrapeJobs.results`: a job's pages, in fetch order. */
export const resultsInputSchema = z.strictObject(
  {
    id: jobIdSchema,
    limit: queryInt('limit', 1, MAX_LIST_LIMIT).default(100),
    offset: queryInt('offset', 0, 10_000_000).default(0),
  },
  { error: unknownKeys('query parameter') },
);
export type ResultsInput = z.input<typeof resultsInputSchema>;

/** `queue.release`: the claim holder gives the job back. */
export const releaseClaimInputSchema = z.strictObject(
  {
    id: jobIdSchema,
    claim_token: claimTokenSchema,
    reason: z.string({ error: 'reason must be a string' }).max(500, { error: 'reason must be at most 500 characters' }).optional(),
  },
  { error: unknownKeys('field') },
);

/**
 * `scrapeJobs.onChange`: the change feed, optionally of one job or one domain, and optionally
 * only the changes that moved a job into one of `into_statuses` (creations included).
 */
export const changeFeedInputSchema = z
  .strictObject(
    {
      job_id: jobIdSchema.optional(),
      domain: z.string({ error: 'domain must be a string' }).max(260, { error: 'domain must be at most 260 characters' }).optional(),
      into_statuses: z
        .array(statusSchema, { error: 'into_statuses must be an array of statuses' })
        .min(1, { error: 'into_statuses must name at least one status' })
        .max(JOB_STATUSES.length, { error: `into_statuses must name at most ${JOB_STATUSES.length} statuses` })
        .optional(),
    },
    { error: unknownKeys('field') },
  )
  .optional();
export type ChangeFeedInput = z.input<typeof changeFeedInputSchema>;
