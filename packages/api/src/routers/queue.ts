import { claimJobInputSchema, DomainError, heartbeatInputSchema, JOB_TYPES, releaseClaimInputSchema, reportPagesInputSchema } from '@scrape-jobs/domain';
import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';

export const queueRouter = createTRPCRouter({
  peek: publicProcedure
    .input(z.strictObject({ job_types: z.array(z.enum(JOB_TYPES)).min(1).optional() }).optional())
    .query(({ ctx, input }) => ctx.manager.peekNextJob(input?.job_types)),

  /** Takes the next job; `data` carries the claim token every later worker write presents. */
  claim: publicProcedure.input(claimJobInputSchema.optional()).mutation(({ ctx, input }) => {
    const workerId = input?.worker_id ?? ctx.caller.workerId;
    if (!workerId) throw new DomainError('VALIDATION', 'worker_id is required (body worker_id or the X-Worker-ID header)');
    return ctx.manager.claimNextJob({ workerId, jobTypes: input?.job_types }, ctx.caller);
  }),

  /** Extends the claim and merges progress stats; CONFLICT once the claim is lost (e.g. cancelled). */
  heartbeat: publicProcedure.input(heartbeatInputSchema).mutation(async ({ ctx, input }) => {
    const job = await ctx.manager.heartbeat({ id: input.id, claimToken: input.claim_token, stats: input.stats });
    return { id: job.id, status: job.status, claim_expires_at: job.claim_expires_at, updated_at: job.updated_at };
  }),

  /** Stores a batch of page results; CONFLICT once the claim is lost. */
  reportPages: publicProcedure.input(reportPagesInputSchema).mutation(({ ctx, input }) =>
    ctx.manager.reportPages({ id: input.id, claimToken: input.claim_token, pages: input.pages }),
  ),

  /** Hands a held claim back: the job returns to pending at once (a worker shutting down). */
  release: publicProcedure.input(releaseClaimInputSchema).mutation(async ({ ctx, input }) => {
    const job = await ctx.manager.releaseClaim({ id: input.id, claimToken: input.claim_token, reason: input.reason }, ctx.caller);
    return { id: job.id, status: job.status, updated_at: job.updated_at };
  }),
});
