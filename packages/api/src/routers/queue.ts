import { claimBatchInputSchema, claimJobInputSchema, completeBatchInputSchema, DomainError, heartbeatInputSchema, JOB_TYPES, releaseClaimInputSchema, reportPagesInputSchema } from '@scrape-jobs/domain';
import { z } from 'zod';
import { createTRPCRouter, queueReadProcedure, workerProcedure } from '../trpc.ts';
import { updatedView } from '../views.ts';

export const queueRouter = createTRPCRouter({
  peek: queueReadProcedure
    .input(z.strictObject({ job_types: z.array(z.enum(JOB_TYPES)).min(1).optional() }).optional())
    .query(({ ctx, input }) => ctx.manager.peekNextJob(input?.job_types, ctx.caller)),

  /** Takes the next job; `data` carries the claim token every later worker write presents. */
  claim: workerProcedure.input(claimJobInputSchema.optional()).mutation(({ ctx, input }) => {
    const workerId = input?.worker_id ?? ctx.caller.workerId;
    if (!workerId) throw new DomainError('VALIDATION', 'worker_id is required (body worker_id or the X-Worker-ID header)');
    return ctx.manager.claimNextJob({ workerId, jobTypes: input?.job_types }, ctx.caller);
  }),

  /** Takes up to `limit` jobs at once, in claim order, each with its own claim token. */
  claimBatch: workerProcedure.input(claimBatchInputSchema).mutation(({ ctx, input }) => {
    const workerId = input.worker_id ?? ctx.caller.workerId;
    if (!workerId) throw new DomainError('VALIDATION', 'worker_id is required (body worker_id or the X-Worker-ID header)');
    return ctx.manager.claimJobs({ workerId, limit: input.limit, jobTypes: input.job_types }, ctx.caller);
  }),

  /** Completes many claimed jobs in one write; a job whose claim is gone is refused alone. */
  completeBatch: workerProcedure.input(completeBatchInputSchema).mutation(async ({ ctx, input }) => {
    const { completed, refused } = await ctx.manager.completeJobs(
      input.jobs.map((job) => ({ id: job.id, claimToken: job.claim_token, stats: job.stats })),
      ctx.caller,
    );
    return { completed: completed.map(updatedView), refused };
  }),

  /** Extends the claim and merges progress stats; CONFLICT once the claim is lost (e.g. cancelled). */
  heartbeat: workerProcedure.input(heartbeatInputSchema).mutation(async ({ ctx, input }) => {
    const job = await ctx.manager.heartbeat({ id: input.id, claimToken: input.claim_token, stats: input.stats }, ctx.caller);
    return { id: job.id, status: job.status, claim_expires_at: job.claim_expires_at, updated_at: job.updated_at };
  }),

  /** Stores a batch of page results; CONFLICT once the claim is lost. */
  reportPages: workerProcedure.input(reportPagesInputSchema).mutation(({ ctx, input }) =>
    ctx.manager.reportPages({ id: input.id, claimToken: input.claim_token, pages: input.pages }, ctx.caller),
  ),

  /** Hands a held claim back: the job returns to pending at once (a worker shutting down). */
  release: workerProcedure.input(releaseClaimInputSchema).mutation(async ({ ctx, input }) => {
    const job = await ctx.manager.releaseClaim({ id: input.id, claimToken: input.claim_token, reason: input.reason }, ctx.caller);
    return { id: job.id, status: job.status, updated_at: job.updated_at };
  }),
});
