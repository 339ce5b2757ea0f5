import {
  createJobInputSchema,
  DomainError,
  jobIdSchema,
  listJobsInputSchema,
  parseInput,
  retryJobInputSchema,
  statsInputSchema,
  updateJobFieldsSchema,
  claimJobInputSchema,
  heartbeatInputSchema,
  cancelJobInputSchema,
  reportPagesInputSchema,
  resultsInputSchema,
} from '@scrape-jobs/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, toDomainError, toErrorEnvelope } from '../errors.ts';
import type { ScrapeJobManager } from '../scrape-job-manager.ts';
import { callerOf } from './request-caller.ts';
import { cancelledView, createdView, updatedView } from '../views.ts';

export interface RestRoutesOptions {
  manager: ScrapeJobManager;
}

type Handler = (request: FastifyRequest) => Promise<{ status?: number; body: Record<string, unknown> }>;

const ok = (data: unknown, extra: Record<string, unknown> = {}) => ({ body: { success: true, data, ...extra } });

/** A route handler with the contract's envelope; `operation` names the 500's sentence. */
function route(operation: string, handler: Handler) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const { status = 200, body } = await handler(request);
      return reply.code(status).send(body);
    } catch (error) {
      const domain = toDomainError(error, operation);
      if (domain.code === 'INTERNAL') request.log.error({ err: error }, domain.message);
      return reply.code(httpStatusOf(domain.code)).send(toErrorEnvelope(domain));
    }
  };
}

const idOf = (request: FastifyRequest) => parseInput(jobIdSchema, (request.params as { id: string }).id);

/** A JSON body that must be an object; an absent body counts as `{}`. */
function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('VALIDATION', 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The contract's REST routes under /api/scrape-jobs, each calling the same service method
 * as its tRPC procedure.
 */
export async function scrapeJobsRoutes(app: FastifyInstance, { manager }: RestRoutesOptions): Promise<void> {
  app.get('/api/scrape-jobs', route('list scrape jobs', async (request) => {
    const filter = parseInput(listJobsInputSchema, request.query);
    const { jobs, pagination } = await manager.getJobs(filter);
    return ok(jobs, { pagination });
  }));

  app.post('/api/scrape-jobs', route('create scrape job', async (request) => {
    const input = parseInput(createJobInputSchema, objectBody(request));
    const job = await manager.createJob(input, callerOf(request));
    return { status: 201, body: { success: true, data: createdView(job), message: 'Scrape job created successfully' } };
  }));

  app.get('/api/scrape-jobs/stats', route('fetch job statistics', async (request) => {
    return ok(await manager.getJobStats(parseInput(statsInputSchema, request.query)));
  }));

  app.get('/api/scrape-jobs/next', route('peek at the job queue', async () => {
    const job = await manager.peekNextJob();
    return job ? ok(job) : ok(null, { message: 'No pending jobs in queue' });
  }));

  app.post('/api/scrape-jobs/next', route('claim a job', async (request) => {
    const body = objectBody(request);
    const header = request.headers['x-worker-id'];
    const input = parseInput(claimJobInputSchema, { ...body, worker_id: body.worker_id ?? (typeof header === 'string' ? header : undefined) });
    if (!input.worker_id) throw new DomainError('VALIDATION', 'worker_id is required (body worker_id or the X-Worker-ID header)');
    const job = await manager.claimNextJob({ workerId: input.worker_id, jobTypes: input.job_types }, callerOf(request));
    return job ? ok(job, { message: 'Job claimed successfully' }) : ok(null, { message: 'No pending jobs to claim' });
  }));

  app.get('/api/scrape-jobs/:id', route('fetch scrape job', async (request) => {
    const job = await manager.getJob(idOf(request));
    if (!job) throw new DomainError('NOT_FOUND', 'Job not found');
    return ok(job);
  }));

  app.put('/api/scrape-jobs/:id', route('update scrape job', async (request) => {
    const id = idOf(request);
    const body = objectBody(request);
    const header = request.headers['x-claim-token'];
    const fields = parseInput(updateJobFieldsSchema, typeof header === 'string' && body.claim_token === undefined ? { ...body, claim_token: header } : body);
    const job = await manager.updateJob(id, fields, callerOf(request));
    return ok(updatedView(job), { message: 'Job updated successfully' });
  }));

  app.delete('/api/scrape-jobs/:id', route('cancel scrape job', async (request) => {
    const { reason } = request.query as { reason?: unknown };
    const input = parseInput(cancelJobInputSchema, { id: (request.params as { id: string }).id, reason });
    const job = await manager.cancelJob(input.id, input.reason, callerOf(request));
    return ok(cancelledView(job), { message: 'Job cancelled successfully' });
  }));

  app.post('/api/scrape-jobs/:id/retry', route('retry scrape job', async (request) => {
    const input = parseInput(retryJobInputSchema, { ...objectBody(request), id: (request.params as { id: string }).id });
    const { job, message } = await manager.retryJob(input.id, { reason: input.reason, retriedBy: input.retried_by }, callerOf(request));
    return ok(job, { message });
  }));

  app.get('/api/scrape-jobs/:id/history', route('fetch job history', async (request) => {
    return ok(await manager.getJobHistory(idOf(request)));
  }));

  app.post('/api/scrape-jobs/:id/heartbeat', route('record heartbeat', async (request) => {
    const header = request.headers['x-claim-token'];
    const body = objectBody(request);
    const input = parseInput(heartbeatInputSchema, {
      ...body,
      claim_token: body.claim_token ?? (typeof header === 'string' ? header : undefined),
      id: (request.params as { id: string }).id,
    });
    const job = await manager.heartbeat({ id: input.id, claimToken: input.claim_token, stats: input.stats });
    return ok({ id: job.id, status: job.status, claim_expires_at: job.claim_expires_at, updated_at: job.updated_at }, { message: 'Heartbeat recorded' });
  }));

  app.get('/api/scrape-jobs/:id/results', route('fetch job results', async (request) => {
    const input = parseInput(resultsInputSchema, { ...(request.query as object), id: (request.params as { id: string }).id });
    const { pages, pagination } = await manager.getResults(input);
    return ok(pages, { pagination });
  }));

  app.post('/api/scrape-jobs/:id/pages', route('store page results', async (request) => {
    const header = request.headers['x-claim-token'];
    const body = objectBody(request);
    const input = parseInput(reportPagesInputSchema, {
      ...body,
      claim_token: body.claim_token ?? (typeof header === 'string' ? header : undefined),
      id: (request.params as { id: string }).id,
    });
    const { stored } = await manager.reportPages({ id: input.id, claimToken: input.claim_token, pages: input.pages });
    return ok({ stored }, { message: 'Pages stored' });
  }));
}
