/**
 * Bad input on every REST endpoint. Each case asserts the 4xx, the failure envelope with
 * its sentence, and that the database (every row of every table) is exactly as before.
 * The whole list runs on PGlite; a handful of cases run on PostgreSQL as well.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, snapshot, startTestServer, type TestServer } from './test-server.ts';
import { skipPostgres } from '@scrape-jobs/db/testing';

/** The jobs every case can aim at, one in each state. */
interface Seeds {
  pending: string;
  /** Claimed by worker `seed-worker`. */
  running: string;
  claimToken: string;
  completed: string;
  /** Failed with retries left. */
  failed: string;
  /** Failed with no retries left (max_retries 0). */
  exhausted: string;
  cancelled: string;
}

interface BadRequest {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string | ((s: Seeds) => string);
  /** A string is sent as it is (with Content-Type application/json unless headers say otherwise). */
  body?: unknown | ((s: Seeds) => unknown);
  headers?: Record<string, string> | ((s: Seeds) => Record<string, string>);
  status: number;
  /** The exact sentence, or a pattern when only its beginning is fixed. */
  error: string | RegExp;
  /** Checked with toMatchObject / toEqual when given. */
  details?: unknown;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const OTHER_TOKEN = '11111111-1111-4111-8111-111111111111';
const BAD_ID = 'Invalid job id: must be a UUID';
const NOT_FOUND = 'Job not found';
const NO_OBJECT = 'Request body must be a JSON object';
const MALFORMED_JSON = 'Malformed JSON body';
const PRIORITY = 'Priority must be between 1 and 10';
const RETRY_COUNT = 'Invalid retry_count: must be a non-negative integer';
const NO_FIELDS = 'No updatable fields given';
const CLAIM_LOST = 'Claim is no longer held by this worker';
const worker = { 'X-Worker-ID': 'bad-input-worker' };
const overOneMiB = 'x'.repeat(1024 * 1024 + 1024);
const STATUSES = 'pending, running, completed, failed, cancelled';
const BATCH_LIMIT = 'Invalid limit: must be an integer from 1 to 100';

const jobPath = (key: keyof Seeds, suffix = '') => (s: Seeds) => `/api/scrape-jobs/${s[key]}${suffix}`;

// ---- the cases ---------------------------------------------------------------------------

const transport: BadRequest[] = [
  { name: 'create: malformed JSON', method: 'POST', path: '/api/scrape-jobs', body: '{"domain": ', status: 400, error: MALFORMED_JSON },
  { name: 'update: malformed JSON', method: 'PUT', path: jobPath('pending'), body: '{"status": "running",}', status: 400, error: MALFORMED_JSON },
  { name: 'retry: malformed JSON', method: 'POST', path: jobPath('failed', '/retry'), body: '{reason: x}', status: 400, error: MALFORMED_JSON },
  { name: 'claim: malformed JSON (nothing claimed)', method: 'POST', path: '/api/scrape-jobs/next', body: '{"worker_id":', headers: worker, status: 400, error: MALFORMED_JSON },
  { name: 'heartbeat: malformed JSON', method: 'POST', path: jobPath('running', '/heartbeat'), body: '{', status: 400, error: MALFORMED_JSON },
  { name: 'create: JSON array body', method: 'POST', path: '/api/scrape-jobs', body: '[{"domain":"array.test"}]', status: 400, error: NO_OBJECT },
  { name: 'create: JSON string body', method: 'POST', path: '/api/scrape-jobs', body: '"string.test"', status: 400, error: NO_OBJECT },
  { name: 'create: JSON number body', method: 'POST', path: '/api/scrape-jobs', body: '42', status: 400, error: NO_OBJECT },
  { name: 'update: JSON array body', method: 'PUT', path: jobPath('pending'), body: '[{"status":"running"}]', status: 400, error: NO_OBJECT },
  { name: 'update: JSON string body', method: 'PUT', path: jobPath('pending'), body: '"running"', status: 400, error: NO_OBJECT },
  { name: 'retry: JSON array body', method: 'POST', path: jobPath('failed', '/retry'), body: '[]', status: 400, error: NO_OBJECT },
  { name: 'claim: JSON string body', method: 'POST', path: '/api/scrape-jobs/next', body: '"bad-input-worker"', headers: worker, status: 400, error: NO_OBJECT },
  { name: 'heartbeat: JSON array body', method: 'POST', path: jobPath('running', '/heartbeat'), body: '[]', status: 400, error: NO_OBJECT },
  {
    name: 'create: form-encoded body',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: 'domain=form.test',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    error: 'Unsupported content type',
  },
  { name: 'create: body over 1 MiB', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'huge.test', metadata: { pad: overOneMiB } }, status: 413, error: 'Request body too large' },
  { name: 'update: body over 1 MiB', method: 'PUT', path: jobPath('pending'), body: { metadata: { pad: overOneMiB } }, status: 413, error: 'Request body too large' },
  { name: 'unknown route method (PATCH)', method: 'PATCH', path: jobPath('pending'), body: { status: 'running' }, status: 404, error: 'Not found' },
];

const create: BadRequest[] = [
  { name: 'create: no domain', method: 'POST', path: '/api/scrape-jobs', body: { priority: 5 }, status: 400, error: 'Domain is required' },
  { name: 'create: empty body', method: 'POST', path: '/api/scrape-jobs', status: 400, error: 'Domain is required' },
  { name: 'create: empty domain', method: 'POST', path: '/api/scrape-jobs', body: { domain: '  ' }, status: 400, error: 'Domain is required' },
  { name: 'create: domain is a number', method: 'POST', path: '/api/scrape-jobs', body: { domain: 5 }, status: 400, error: 'Domain must be a string' },
  {
    name: 'create: domain with a path',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'http://path.test/shop' },
    status: 400,
    error: 'Invalid domain: "path.test/shop" must be a host name without protocol or path',
  },
  { name: 'create: priority "high"', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'p.test', priority: 'high' }, status: 400, error: PRIORITY },
  { name: 'create: priority 0', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'p.test', priority: 0 }, status: 400, error: PRIORITY },
  { name: 'create: priority 11', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'p.test', priority: 11 }, status: 400, error: PRIORITY },
  { name: 'create: priority 5.5', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'p.test', priority: 5.5 }, status: 400, error: PRIORITY },
  { name: 'create: priority null', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'p.test', priority: null }, status: 400, error: PRIORITY },
  {
    name: 'create: unknown job_type',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'p.test', job_type: 'full_crawl' },
    status: 400,
    error: 'Invalid job_type: "full_crawl" (expected one of domain_scrape, single_page, sitemap_crawl, product_catalog, content_update)',
  },
  { name: 'create: config.depth "3"', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'c.test', config: { depth: '3' } }, status: 400, error: 'depth must be a number' },
  { name: 'create: config.depth 2.5', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'c.test', config: { depth: 2.5 } }, status: 400, error: 'depth must be an integer' },
  {
    name: 'create: config.maxPages 0',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'c.test', config: { maxPages: 0 } },
    status: 400,
    // The contract's sentence; the service adds the upper bound after it.
    error: /^maxPages must be a positive number/,
  },
  {
    name: 'create: config.respectRobots "yes"',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'c.test', config: { respectRobots: 'yes' } },
    status: 400,
    error: 'respectRobots must be true or false',
  },
  { name: 'create: config is an array', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'c.test', config: [] }, status: 400, error: 'config must be an object' },
  { name: 'create: config null', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'c.test', config: null }, status: 400, error: 'config must be an object' },
  { name: 'create: metadata is an array', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'c.test', metadata: ['a'] }, status: 400, error: 'metadata must be an object' },
  {
    name: 'create: max_retries -1',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'c.test', max_retries: -1 },
    status: 400,
    error: 'Invalid max_retries: must be a non-negative integer',
  },
  {
    name: 'create: customer_config_id not a UUID',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'c.test', customer_config_id: 'acme' },
    status: 400,
    error: 'customer_config_id must be a UUID',
  },
  { name: 'create: unknown field', method: 'POST', path: '/api/scrape-jobs', body: { domain: 'u.test', colour: 'red' }, status: 400, error: 'Unknown field: colour' },
  {
    name: 'create: read-only field status',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'u.test', status: 'completed' },
    status: 400,
    error: 'Unknown field: status',
  },
  {
    name: 'create: __proto__ field',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: '{"domain":"u.test","__proto__":{"priority":10}}',
    status: 400,
    error: 'Unknown field: __proto__',
  },
  {
    name: 'create: unknown config field',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'u.test', config: { maxPage: 10 } },
    status: 400,
    error: 'Unknown config field: maxPage',
  },
  {
    name: 'create: duplicate of a pending job',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'pending.test' },
    status: 409,
    error: 'A pending job already exists for domain: pending.test',
  },
  {
    name: 'create: duplicate of a running job',
    method: 'POST',
    path: '/api/scrape-jobs',
    body: { domain: 'RUNNING.test' },
    status: 409,
    error: 'A running job already exists for domain: running.test',
  },
];

const update: BadRequest[] = [
  { name: 'update: no body', method: 'PUT', path: jobPath('pending'), status: 400, error: NO_FIELDS },
  { name: 'update: empty object', method: 'PUT', path: jobPath('pending'), body: {}, status: 400, error: NO_FIELDS },
  { name: 'update: empty JSON text', method: 'PUT', path: jobPath('pending'), body: '', status: 400, error: NO_FIELDS },
  { name: 'update: only a claim_token', method: 'PUT', path: jobPath('running'), body: (s: Seeds) => ({ claim_token: s.claimToken }), status: 400, error: NO_FIELDS },
  {
    name: 'update: unknown status',
    method: 'PUT',
    path: jobPath('pending'),
    body: { status: 'paused' },
    status: 400,
    error: `Invalid status: "paused" (expected one of ${STATUSES})`,
  },
  { name: 'update: status is a number', method: 'PUT', path: jobPath('pending'), body: { status: 1 }, status: 400, error: `Invalid status: 1 (expected one of ${STATUSES})` },
  { name: 'update: unknown field', method: 'PUT', path: jobPath('pending'), body: { foo: 1 }, status: 400, error: 'Unknown or read-only field: foo' },
  { name: 'update: read-only domain', method: 'PUT', path: jobPath('pending'), body: { domain: 'other.test' }, status: 400, error: 'Unknown or read-only field: domain' },
  { name: 'update: read-only priority', method: 'PUT', path: jobPath('pending'), body: { priority: 9 }, status: 400, error: 'Unknown or read-only field: priority' },
  {
    name: 'update: a known field next to an unknown one',
    method: 'PUT',
    path: jobPath('pending'),
    body: { status: 'running', worker_id: 'sneaky' },
    status: 400,
    error: 'Unknown or read-only field: worker_id',
  },
  { name: 'update: retry_count -1', method: 'PUT', path: jobPath('failed'), body: { retry_count: -1 }, status: 400, error: RETRY_COUNT },
  { name: 'update: retry_count 1.5', method: 'PUT', path: jobPath('failed'), body: { retry_count: 1.5 }, status: 400, error: RETRY_COUNT },
  { name: 'update: retry_count "2"', method: 'PUT', path: jobPath('failed'), body: { retry_count: '2' }, status: 400, error: RETRY_COUNT },
  { name: 'update: stats is a string', method: 'PUT', path: jobPath('pending'), body: { stats: 'lots' }, status: 400, error: 'stats must be an object' },
  { name: 'update: stats is an array', method: 'PUT', path: jobPath('pending'), body: { stats: [1] }, status: 400, error: 'stats must be an object' },
  {
    name: 'update: stats.pagesProcessed "10"',
    method: 'PUT',
    path: jobPath('running'),
    body: { stats: { pagesProcessed: '10' } },
    status: 400,
    error: 'stats.pagesProcessed must be a number',
  },
  {
    name: 'update: stats.failedRequests -1',
    method: 'PUT',
    path: jobPath('running'),
    body: { stats: { failedRequests: -1 } },
    status: 400,
    error: 'stats.failedRequests must not be negative',
  },
  { name: 'update: metadata is a string', method: 'PUT', path: jobPath('pending'), body: { metadata: 'note' }, status: 400, error: 'metadata must be an object' },
  {
    name: 'update: metadata over 64 KiB',
    method: 'PUT',
    path: jobPath('pending'),
    body: { metadata: { pad: 'x'.repeat(70_000) } },
    status: 400,
    error: 'metadata must be at most 64 KiB of JSON',
  },
  {
    name: 'update: started_at not a timestamp',
    method: 'PUT',
    path: jobPath('pending'),
    body: { status: 'running', started_at: 'yesterday' },
    status: 400,
    error: 'Invalid started_at: must be an ISO-8601 timestamp',
  },
  {
    name: 'update: completed_at on a pending job',
    method: 'PUT',
    path: jobPath('pending'),
    body: { completed_at: '2024-01-01T12:30:00.000Z' },
    status: 400,
    error: 'completed_at can only be set on a completed, failed or cancelled job',
  },
  { name: 'update: error_message is a number', method: 'PUT', path: jobPath('failed'), body: { error_message: 42 }, status: 400, error: 'error_message must be a string or null' },
  {
    name: 'update: error_message over 10000 characters',
    method: 'PUT',
    path: jobPath('failed'),
    body: { error_message: 'e'.repeat(10_001) },
    status: 400,
    error: 'error_message must be at most 10000 characters',
  },
  { name: 'update: retryable "yes"', method: 'PUT', path: jobPath('running'), body: { status: 'failed', retryable: 'yes' }, status: 400, error: 'retryable must be true or false' },
  { name: 'update: claim_token not a UUID', method: 'PUT', path: jobPath('running'), body: { stats: { pagesProcessed: 1 }, claim_token: 'abc' }, status: 400, error: 'Invalid claim_token' },
];

const transitions: BadRequest[] = [
  ['completed', 'running'],
  ['completed', 'failed'],
  ['cancelled', 'pending'],
  ['cancelled', 'running'],
  ['pending', 'completed'],
  ['pending', 'failed'],
  ['running', 'pending'],
  ['failed', 'running'],
  ['failed', 'completed'],
].map(([from, to]) => ({
  name: `update: illegal transition ${from} → ${to}`,
  method: 'PUT' as const,
  path: jobPath(from as keyof Seeds),
  body: { status: to },
  status: 400,
  error: `Cannot transition from '${from}' to '${to}'`,
}));

const fenced: BadRequest[] = [
  {
    name: 'update: wrong claim_token',
    method: 'PUT',
    path: jobPath('running'),
    body: { status: 'completed', stats: { pagesProcessed: 9 }, claim_token: OTHER_TOKEN },
    status: 409,
    error: CLAIM_LOST,
    details: { currentStatus: 'running' },
  },
  {
    name: 'update: wrong X-Claim-Token header',
    method: 'PUT',
    path: jobPath('running'),
    body: { stats: { pagesProcessed: 9 } },
    headers: { 'X-Claim-Token': OTHER_TOKEN },
    status: 409,
    error: CLAIM_LOST,
  },
  {
    name: 'update: a claim_token on a completed job',
    method: 'PUT',
    path: jobPath('completed'),
    body: (s: Seeds) => ({ metadata: { late: true }, claim_token: s.claimToken }),
    status: 409,
    error: CLAIM_LOST,
    details: { currentStatus: 'completed' },
  },
  { name: 'heartbeat: wrong claim_token', method: 'POST', path: jobPath('running', '/heartbeat'), body: { claim_token: OTHER_TOKEN }, status: 409, error: CLAIM_LOST },
  { name: 'heartbeat: no claim_token', method: 'POST', path: jobPath('running', '/heartbeat'), body: {}, status: 400, error: 'claim_token is required' },
];

const cancelAndRetry: BadRequest[] = [
  {
    name: 'cancel: a completed job',
    method: 'DELETE',
    path: jobPath('completed', '?reason=too%20late'),
    status: 409,
    error: 'Job not found or cannot be cancelled',
    details: 'Job is already completed',
  },
  {
    name: 'cancel: a cancelled job',
    method: 'DELETE',
    path: jobPath('cancelled'),
    status: 409,
    error: 'Job not found or cannot be cancelled',
    details: 'Job is already cancelled',
  },
  {
    name: 'cancel: reason over 500 characters',
    method: 'DELETE',
    path: (s: Seeds) => `/api/scrape-jobs/${s.pending}?reason=${'r'.repeat(501)}`,
    status: 400,
    error: 'reason must be at most 500 characters',
  },
  { name: 'cancel: reason given twice', method: 'DELETE', path: jobPath('pending', '?reason=a&reason=b'), status: 400, error: 'reason must be a string' },
  {
    name: 'retry: a pending job',
    method: 'POST',
    path: jobPath('pending', '/retry'),
    status: 400,
    error: 'Job cannot be retried',
    details: { currentStatus: 'pending' },
  },
  {
    name: 'retry: a running job',
    method: 'POST',
    path: jobPath('running', '/retry'),
    status: 400,
    error: 'Job cannot be retried',
    details: { currentStatus: 'running', reason: 'Job is currently in progress' },
  },
  { name: 'retry: a completed job', method: 'POST', path: jobPath('completed', '/retry'), status: 400, error: 'Job cannot be retried', details: { currentStatus: 'completed' } },
  {
    name: 'retry: no retries left',
    method: 'POST',
    path: jobPath('exhausted', '/retry'),
    status: 400,
    error: 'Job has exceeded maximum retry attempts',
    details: { currentRetries: 0, maxRetries: 0, lastError: 'Boom' },
  },
  { name: 'retry: unknown body field', method: 'POST', path: jobPath('failed', '/retry'), body: { colour: 'red' }, status: 400, error: /colour/ },
  { name: 'retry: reason is a number', method: 'POST', path: jobPath('failed', '/retry'), body: { reason: 5 }, status: 400, error: 'reason must be a string' },
];

const queue: BadRequest[] = [
  {
    name: 'claim: no worker id',
    method: 'POST',
    path: '/api/scrape-jobs/next',
    status: 400,
    error: 'worker_id is required (body worker_id or the X-Worker-ID header)',
  },
  {
    name: 'claim: worker_id with spaces',
    method: 'POST',
    path: '/api/scrape-jobs/next',
    body: { worker_id: 'bad worker!' },
    status: 400,
    error: 'worker_id may hold letters, digits and . : @ _ - only',
  },
  { name: 'claim: worker_id is a number', method: 'POST', path: '/api/scrape-jobs/next', body: { worker_id: 7 }, status: 400, error: 'worker_id must be a string' },
  {
    name: 'claim: unknown job type',
    method: 'POST',
    path: '/api/scrape-jobs/next',
    body: { job_types: ['everything'] },
    headers: worker,
    status: 400,
    error: /^Invalid job_type: "everything"/,
  },
  { name: 'claim: unknown body field', method: 'POST', path: '/api/scrape-jobs/next', body: { greedy: true }, headers: worker, status: 400, error: /greedy/ },
  { name: 'batch claim: no limit', method: 'POST', path: '/api/scrape-jobs/next/batch', body: {}, headers: worker, status: 400, error: BATCH_LIMIT },
  { name: 'batch claim: limit 0', method: 'POST', path: '/api/scrape-jobs/next/batch', body: { limit: 0 }, headers: worker, status: 400, error: BATCH_LIMIT },
  { name: 'batch claim: limit 101', method: 'POST', path: '/api/scrape-jobs/next/batch', body: { limit: 101 }, headers: worker, status: 400, error: BATCH_LIMIT },
  { name: 'batch claim: limit 2.5', method: 'POST', path: '/api/scrape-jobs/next/batch', body: { limit: 2.5 }, headers: worker, status: 400, error: BATCH_LIMIT },
  { name: 'batch claim: limit "5"', method: 'POST', path: '/api/scrape-jobs/next/batch', body: { limit: '5' }, headers: worker, status: 400, error: BATCH_LIMIT },
  {
    name: 'batch claim: no worker id',
    method: 'POST',
    path: '/api/scrape-jobs/next/batch',
    body: { limit: 5 },
    status: 400,
    error: 'worker_id is required (body worker_id or the X-Worker-ID header)',
  },
  { name: 'batch claim: malformed JSON', method: 'POST', path: '/api/scrape-jobs/next/batch', body: '{"limit": 5', headers: worker, status: 400, error: MALFORMED_JSON },
  { name: 'batch complete: no jobs', method: 'POST', path: '/api/scrape-jobs/complete', body: {}, status: 400, error: /^jobs must be a list/ },
  { name: 'batch complete: empty list', method: 'POST', path: '/api/scrape-jobs/complete', body: { jobs: [] }, status: 400, error: 'jobs must hold at least one job' },
  {
    name: 'batch complete: 101 jobs',
    method: 'POST',
    path: '/api/scrape-jobs/complete',
    body: { jobs: Array.from({ length: 101 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, claim_token: OTHER_TOKEN })) },
    status: 400,
    error: 'jobs holds at most 100 jobs per call',
  },
  {
    name: 'batch complete: the same job twice (nothing completed)',
    method: 'POST',
    path: '/api/scrape-jobs/complete',
    body: (s: Seeds) => ({ jobs: [{ id: s.running, claim_token: s.claimToken }, { id: s.running, claim_token: s.claimToken }] }),
    status: 400,
    error: 'jobs must not name a job twice',
  },
  {
    name: 'batch complete: a bad claim token beside a good one (nothing completed)',
    method: 'POST',
    path: '/api/scrape-jobs/complete',
    body: (s: Seeds) => ({ jobs: [{ id: s.running, claim_token: s.claimToken }, { id: s.pending, claim_token: 'abc' }] }),
    status: 400,
    error: 'Invalid claim_token',
  },
  {
    name: 'batch complete: a status field (completion only)',
    method: 'POST',
    path: '/api/scrape-jobs/complete',
    body: (s: Seeds) => ({ jobs: [{ id: s.running, claim_token: s.claimToken, status: 'failed' }] }),
    status: 400,
    error: 'Unknown field: status',
  },
  { name: 'batch complete: malformed JSON', method: 'POST', path: '/api/scrape-jobs/complete', body: '{"jobs": [', status: 400, error: MALFORMED_JSON },
];

const ids: BadRequest[] = [
  ...(
    [
      ['GET', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['POST', '/retry'],
      ['GET', '/history'],
      ['POST', '/heartbeat'],
    ] as const
  ).flatMap(([method, suffix]) => [
    {
      name: `${method} /api/scrape-jobs/not-a-uuid${suffix}`,
      method,
      path: `/api/scrape-jobs/not-a-uuid${suffix}`,
      body: method === 'PUT' ? { status: 'running' } : suffix === '/heartbeat' ? { claim_token: OTHER_TOKEN } : undefined,
      status: 400,
      error: BAD_ID,
    },
    ...(suffix === '/heartbeat'
      ? []
      : [
          {
            name: `${method} /api/scrape-jobs/{unknown id}${suffix}`,
            method,
            path: `/api/scrape-jobs/${UNKNOWN_ID}${suffix}`,
            body: method === 'PUT' ? { status: 'running' } : undefined,
            status: 404,
            error: NOT_FOUND,
          },
        ]),
  ]),
  { name: 'GET a UUID with a trailing character', method: 'GET', path: `/api/scrape-jobs/${UNKNOWN_ID}x`, status: 400, error: BAD_ID },
  { name: 'GET an id of 600 characters', method: 'GET', path: `/api/scrape-jobs/${'a'.repeat(600)}`, status: 400, error: BAD_ID },
  { name: 'DELETE an id of 600 characters', method: 'DELETE', path: `/api/scrape-jobs/${'a'.repeat(600)}`, status: 400, error: BAD_ID },
  { name: 'GET an id with broken %-encoding', method: 'GET', path: '/api/scrape-jobs/%E0%A4%A', status: 400, error: BAD_ID },
  { name: 'heartbeat on an unknown id', method: 'POST', path: `/api/scrape-jobs/${UNKNOWN_ID}/heartbeat`, body: { claim_token: OTHER_TOKEN }, status: 404, error: NOT_FOUND },
];

const list: BadRequest[] = [
  {
    name: 'list: unknown status in the comma list',
    method: 'GET',
    path: '/api/scrape-jobs?status=pending,paused',
    status: 400,
    error: `Invalid status: paused (expected one of ${STATUSES})`,
  },
  {
    name: 'list: unknown order_by',
    method: 'GET',
    path: '/api/scrape-jobs?order_by=domain',
    status: 400,
    error: 'Invalid order_by: "domain" (expected one of created_at, updated_at, status, priority)',
  },
  {
    name: 'list: unknown order_direction',
    method: 'GET',
    path: '/api/scrape-jobs?order_direction=sideways',
    status: 400,
    error: 'Invalid order_direction: "sideways" (expected asc or desc)',
  },
  { name: 'list: limit 0', method: 'GET', path: '/api/scrape-jobs?limit=0', status: 400, error: 'limit must be between 1 and 500' },
  { name: 'list: limit 501', method: 'GET', path: '/api/scrape-jobs?limit=501', status: 400, error: 'limit must be between 1 and 500' },
  { name: 'list: limit "abc"', method: 'GET', path: '/api/scrape-jobs?limit=abc', status: 400, error: 'limit must be an integer' },
  { name: 'list: limit 2.5', method: 'GET', path: '/api/scrape-jobs?limit=2.5', status: 400, error: 'limit must be an integer' },
  { name: 'list: offset -1', method: 'GET', path: '/api/scrape-jobs?offset=-1', status: 400, error: 'offset must be between 0 and 10000000' },
  {
    name: 'list: unknown job_type',
    method: 'GET',
    path: '/api/scrape-jobs?job_type=everything',
    status: 400,
    error: /^Invalid job_type: "everything"/,
  },
  { name: 'list: unknown query parameter', method: 'GET', path: '/api/scrape-jobs?sort=priority', status: 400, error: 'Unknown query parameter: sort' },
  { name: 'stats: unknown query parameter', method: 'GET', path: '/api/scrape-jobs/stats?range=7d', status: 400, error: 'Unknown query parameter: range' },
  { name: 'stats: domain given twice', method: 'GET', path: '/api/scrape-jobs/stats?domain=a.test&domain=b.test', status: 400, error: 'domain must be a string' },
];

const ALL_CASES = [...transport, ...create, ...update, ...transitions, ...fenced, ...cancelAndRetry, ...queue, ...ids, ...list];

/** The cases that also run on PostgreSQL: one of each kind of refusal. */
const POSTGRES_CASES = new Set([
  'create: malformed JSON',
  'update: JSON array body',
  'create: body over 1 MiB',
  'create: priority "high"',
  'create: unknown config field',
  'create: duplicate of a running job',
  'update: retry_count -1',
  "update: illegal transition completed → running",
  'update: wrong claim_token',
  'cancel: a completed job',
  'retry: no retries left',
  'GET /api/scrape-jobs/not-a-uuid',
  'PUT /api/scrape-jobs/{unknown id}',
  'list: limit 501',
]);

// ---- the runs ----------------------------------------------------------------------------

describe.each([
  { kind: 'pglite' as const, cases: ALL_CASES },
  { kind: 'postgres' as const, cases: ALL_CASES.filter((c) => POSTGRES_CASES.has(c.name)) },
])('bad input on $kind', ({ kind, cases }) => {
  if (skipPostgres(kind)) return void test.skip('needs PostgreSQL (TEST_POSTGRES_URL)', () => {});
  let server: TestServer;
  let seeds: Seeds;

  async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const r = await api(server.url, method, path, body, headers);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body.data;
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    // Created and claimed first, so the claim takes it.
    const running = await ok('POST', '/api/scrape-jobs', { domain: 'running.test', priority: 10 });
    const claimed = await ok('POST', '/api/scrape-jobs/next', undefined, { 'X-Worker-ID': 'seed-worker' });
    expect(claimed.id).toBe(running.id);

    const pending = await ok('POST', '/api/scrape-jobs', { domain: 'pending.test', metadata: { seeded: true } });
    const completed = await ok('POST', '/api/scrape-jobs', { domain: 'completed.test' });
    await ok('PUT', `/api/scrape-jobs/${completed.id}`, { status: 'running' });
    await ok('PUT', `/api/scrape-jobs/${completed.id}`, { status: 'completed', stats: { pagesProcessed: 3 } });
    const failed = await ok('POST', '/api/scrape-jobs', { domain: 'failed.test' });
    await ok('PUT', `/api/scrape-jobs/${failed.id}`, { status: 'running' });
    await ok('PUT', `/api/scrape-jobs/${failed.id}`, { status: 'failed', error_message: 'Request timeout' });
    const exhausted = await ok('POST', '/api/scrape-jobs', { domain: 'exhausted.test', max_retries: 0 });
    await ok('PUT', `/api/scrape-jobs/${exhausted.id}`, { status: 'running' });
    await ok('PUT', `/api/scrape-jobs/${exhausted.id}`, { status: 'failed', error_message: 'Boom' });
    const cancelled = await ok('POST', '/api/scrape-jobs', { domain: 'cancelled.test' });
    await ok('DELETE', `/api/scrape-jobs/${cancelled.id}`);

    seeds = {
      pending: pending.id,
      running: running.id,
      claimToken: claimed.claim_token,
      completed: completed.id,
      failed: failed.id,
      exhausted: exhausted.id,
      cancelled: cancelled.id,
    };
  });
  afterAll(async () => {
    await server?.close();
  });

  test.each(cases)('$name → $status', async (c) => {
    const path = typeof c.path === 'function' ? c.path(seeds) : c.path;
    const body = typeof c.body === 'function' ? c.body(seeds) : c.body;
    const headers = typeof c.headers === 'function' ? c.headers(seeds) : c.headers;

    const before = await snapshot(server);
    const r = await api(server.url, c.method, path, body, headers);

    expect(r.status, JSON.stringify(r.body)).toBe(c.status);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body).toMatchObject({ success: false, error: expect.any(String) });
    expect(Object.keys(r.body).filter((k) => !['success', 'error', 'details', 'retry'].includes(k))).toEqual([]);
    if (typeof c.error === 'string') expect(r.body.error).toBe(c.error);
    else expect(r.body.error).toMatch(c.error);
    if (c.details !== undefined) {
      if (typeof c.details === 'object') expect(r.body.details).toMatchObject(c.details as object);
      else expect(r.body.details).toEqual(c.details);
    }
    expect(await snapshot(server)).toEqual(before);
  });

  test('after every refusal the seeded jobs are still in their states', async () => {
    const status = async (id: string) => (await ok('GET', `/api/scrape-jobs/${id}`)).status;
    expect(await status(seeds.pending)).toBe('pending');
    expect(await status(seeds.running)).toBe('running');
    expect(await status(seeds.completed)).toBe('completed');
    expect(await status(seeds.failed)).toBe('failed');
    expect(await status(seeds.exhausted)).toBe('failed');
    expect(await status(seeds.cancelled)).toBe('cancelled');
    // The claim still works for its holder: nothing above stole or dropped it.
    const r = await api(server.url, 'POST', `/api/scrape-jobs/${seeds.running}/heartbeat`, { claim_token: seeds.claimToken });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
});
