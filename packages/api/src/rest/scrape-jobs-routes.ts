import {
  createJobInputSchema,
  DomainError,
  jobIdSchema,
  listJobsInputSchema,
  parseInput,
  retryJobInputSchema,
  statsInputSchema,
  updateJobFieldsSchema,
  claimBatchInputSchema,
  claimJobInputSchema,
  completeBatchInputSchema,
  heartbeatInputSchema,
  cancelJobInputSchema,
  reportPagesInputSchema,
  resultsInputSchema,
} from '@scrape-jobs/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ScrapeJobManager } from '../scrape-job-manager.ts';
import { callerOf } from './request-caller.ts';
import { objectBody, ok, route, WORKER, WRITES } from './route.ts';
import { cancelledView, createdView, updatedView } from '../views.ts';

export interface RestRoutesOptions {
  manager: ScrapeJobManager;
}

const idOf = (request: FastifyRequest) => parseInput(jobIdSchema, (request.params as { id: string }).id);

/** PUT with a claim token (body or X-Claim-Token) is the claim holder's write; without one an operator's edit. */
const isFenced = (request: FastifyRequest) => {
  const body = request.body as { claim_token?: unknown } | null | undefined;
  return (typeof body === 'object' && body !== null && body.claim_token !== undefined) || request.headers['x-claim-token'] !== undefined;
};
const updatePermission = (request: FastifyRequest) => (isFenced(request) ? 'queue:work' : 'jobs:write');
/** PUT's rate-limit bucket follows its permission: fenced writes are the worker's. */
const UPDATE = { config: { rateLimit: (request: FastifyRequest) => (isFenced(request) ? 'worker' : 'writes') } } as const;

/**
 * The contract's REST routes under /api/scrape-jobs, each calling the same service method
 * as its tRPC procedure, each declaring the permission its caller needs.
 */
export async function scrapeJobsRoutes(app: FastifyInstance, { manager }: RestRoutesOptions): Promise<void> {
  app.get('/api/scrape-jobs', route('list scrape jobs', 'jobs:read', async (request) => {
    const filter = parseInput(listJobsInputSchema, request.query);
    const { jobs, pagination } = await manager.getJobs(filter, callerOf(request));
    return ok(jobs, { pagination });
  }));

  app.post('/api/scrape-jobs', WRITES, route('create scrape job', 'jobs:write', async (request) => {
    const input = parseInput(createJobInputSchema, objectBody(request));
    const job = await manager.createJob(input, callerOf(request));
    return { status: 201, body: { success: true, data: createdView(job), message: 'Scrape job created successfully' } };
  }));

  app.get('/api/scrape-jobs/stats', route('fetch job statistics', 'jobs:read', async (request) => {
    return ok(await manager.getJobStats(parseInput(statsInputSchema, request.query), callerOf(request)));
  }));

  app.get('/api/scrape-jobs/next', route('peek at the job queue', 'queue:work', async (request) => {
    const job = await manager.peekNextJob(undefined, callerOf(request));
    return job ? ok(job) : ok(null, { message: 'No pending jobs in queue' });
  }));

  app.post('/api/scrape-jobs/next', WORKER, route('claim a job', 'queue:work', async (request) => {
    const body = objectBody(request);
    const header = request.headers['x-worker-id'];
    const input = parseInput(claimJobInputSchema, { ...body, worker_id: body.worker_id ?? (typeof header === 'string' ? header : undefined) });
    if (!input.worker_id) throw new DomainError('VALIDATION', 'worker_id is required (body worker_id or the X-Worker-ID header)');
    const job = await manager.claimNextJob({ workerId: input.worker_id, jobTypes: input.job_types }, callerOf(request));
    return job ? ok(job, { message: 'Job claimed successfully' }) : ok(null, { message: 'No pending jobs to claim' });
  }));

  app.post('/api/scrape-jobs/next/batch', WORKER, route('claim a batch of jobs', 'queue:work', async (request) => {
    const body = objectBody(request);
    const header = request.headers['x-worker-id'];
    const input = parseInput(claimBatchInputSchema, { ...body, worker_id: body.worker_id ?? (typeof header === 'string' ? header : undefined) });
    if (!input.worker_id) throw new DomainError('VALIDATION', 'worker_id is required (body worker_id or the X-Worker-ID header)');
    const jobs = await manager.claimJobs({ workerId: input.worker_id, limit: input.limit, jobTypes: input.job_types }, callerOf(request));
    return ok(jobs, { message: jobs.length > 0 ? `${jobs.length} ${jobs.length === 1 ? 'job' : 'jobs'} claimed` : 'No pending jobs to claim' });
  }));

  app.post('/api/scrape-jobs/complete', WORKER, route('complete a batch of jobs', 'queue:work', async (request) => {
    const input = parseInput(completeBatchInputSchema, objectBody(request));
    const { completed, refused } = await manager.completeJobs(
      input.jobs.map((job) => ({ id: job.id, claimToken: job.claim_token, stats: job.stats })),
      callerOf(request),
    );
    return ok({ completed: completed.map(updatedView), refused }, { message: `${completed.length} completed, ${refused.length} refused` });
  }));

  app.get('/api/scrape-jobs/:id', route('fetch scrape job', 'jobs:read', async (request) => {
    const job = await manager.getJob(idOf(request), callerOf(request));
    if (!job) throw new DomainError('NOT_FOUND', 'Job not found');
    return ok(job);
  }));

  app.put('/api/scrape-jobs/:id', UPDATE, route('update scrape job', updatePermission, async (request) => {
    const id = idOf(request);
    const body = objectBody(request);
    const header = request.headers['x-claim-token'];
    const fields = parseInput(updateJobFieldsSchema, typeof header === 'string' && body.claim_token === undefined ? { ...body, claim_token: header } : body);
    const job = await manager.updateJob(id, fields, callerOf(request));
    return ok(updatedView(job), { message: 'Job updated successfully' });
  }));

  app.delete('/api/scrape-jobs/:id', WRITES, route('cancel scrape job', 'jobs:write', async (request) => {
    const { reason } = request.query as { reason?: unknown };
    const input = parseInput(cancelJobInputSchema, { id: (request.params as { id: string }).id, reason });
    const job = await manager.cancelJob(input.id, input.reason, callerOf(request));
    return ok(cancelledView(job), { message: 'Job cancelled successfully' });
  }));

  app.post('/api/scrape-jobs/:id/retry', WRITES, route('retry scrape job', 'jobs:write', async (request) => {
    const input = parseInput(retryJobInputSchema, { ...objectBody(request), id: (request.params as { id: string }).id });
    const { job, message } = await manager.retryJob(input.id, { reason: input.reason, retriedBy: input.retried_by }, callerOf(request));
    return ok(job, { message });
  }));

  app.get('/api/scrape-jobs/:id/history', route('fetch job history', 'jobs:read', async (request) => {
    return ok(await manager.getJobHistory(idOf(request), callerOf(request)));
  }));

  app.post('/api/scrape-jobs/:id/heartbeat', WORKER, route('record heartbeat', 'queue:work', async (request) => {
    const header = request.headers['x-claim-token'];
    const body = objectBody(request);
    const input = parseInput(heartbeatInputSchema, {
      ...body,
      claim_token: body.claim_token ?? (typeof header === 'string' ? header : undefined),
      id: (request.params as { id: string }).id,
    });
    const job = await manager.heartbeat({ id: input.id, claimToken: input.claim_token, stats: input.stats }, callerOf(request));
    return ok({ id: job.id, status: job.status, claim_expires_at: job.claim_expires_at, updated_at: job.updated_at }, { message: 'Heartbeat recorded' });
  }));

  app.get('/api/scrape-jobs/:id/results', route('fetch job results', 'jobs:read', async (request) => {
    const input = parseInput(resultsInputSchema, { ...(request.query as object), id: (request.params as { id: string }).id });
    const { pages, pagination } = await manager.getResults(input, callerOf(request));
    return ok(pages, { pagination });
  }));

  app.post('/api/scrape-jobs/:id/pages', WORKER, route('store page results', 'queue:work', async (request) => {
    const header = request.headers['x-claim-token'];
    const body = objectBody(request);
    const input = parseInput(reportPagesInputSchema, {
      ...body,
      claim_token: body.claim_token ?? (typeof header === 'string' ? header : undefined),
      id: (request.params as { id: string }).id,
    });
    const { stored } = await manager.reportPages({ id: input.id, claimToken: input.claim_token, pages: input.pages }, callerOf(request));
    return ok({ stored }, { message: 'Pages stored' });
  }));
}
