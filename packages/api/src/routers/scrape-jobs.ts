import {
  cancelJobInputSchema,
  createJobInputSchema,
  jobIdInputSchema,
  jobIdSchema,
  listJobsInputSchema,
  resultsInputSchema,
  retryJobInputSchema,
  statsInputSchema,
  updateJobInputSchema,
  DomainError,
  type JobChange,
} from '@scrape-jobs/domain';
import { z } from 'zod';
import { changeStream } from '../change-stream.ts';
import { createTRPCRouter, publicProcedure, rateLimited, writeProcedure } from '../trpc.ts';

/** A fenced update (it carries the claim token) is the worker's; any other update a write. */
const updateBucket = (raw: unknown) => (raw && typeof raw === 'object' && 'claim_token' in raw && raw.claim_token !== undefined ? 'worker' : 'writes');
import { cancelledView, createdView, updatedView } from '../views.ts';

const onChangeInput = z
  .strictObject({
    job_id: jobIdSchema.optional(),
    domain: z.string().max(260).optional(),
  })
  .optional();

export const scrapeJobsRouter = createTRPCRouter({
  list: publicProcedure.input(listJobsInputSchema).query(async ({ ctx, input }) => {
    const { jobs, pagination } = await ctx.manager.getJobs(input);
    return { jobs, pagination };
  }),

  create: writeProcedure.input(createJobInputSchema).mutation(async ({ ctx, input }) => {
    return createdView(await ctx.manager.createJob(input, ctx.caller));
  }),

  get: publicProcedure.input(jobIdInputSchema).query(async ({ ctx, input }) => {
    const job = await ctx.manager.getJob(input.id);
    if (!job) throw new DomainError('NOT_FOUND', 'Job not found');
    return job;
  }),

  update: publicProcedure.use(rateLimited(updateBucket)).input(updateJobInputSchema).mutation(async ({ ctx, input: { id, ...fields } }) => {
    return updatedView(await ctx.manager.updateJob(id, fields, ctx.caller));
  }),

  cancel: writeProcedure.input(cancelJobInputSchema).mutation(async ({ ctx, input }) => {
    return cancelledView(await ctx.manager.cancelJob(input.id, input.reason, ctx.caller));
  }),

  retry: writeProcedure.input(retryJobInputSchema).mutation(async ({ ctx, input }) => {
    const { job } = await ctx.manager.retryJob(input.id, { reason: input.reason, retriedBy: input.retried_by }, ctx.caller);
    return job;
  }),

  stats: publicProcedure.input(statsInputSchema.optional()).query(({ ctx, input }) => ctx.manager.getJobStats(input ?? {})),

  history: publicProcedure.input(jobIdInputSchema).query(({ ctx, input }) => ctx.manager.getJobHistory(input.id)),

  /** The job's pages (url, status, title, products, …) in fetch order, paged. */
  results: publicProcedure.input(resultsInputSchema).query(({ ctx, input }) => ctx.manager.getResults(input)),

  /** Server-sent events: every change to a job (optionally one job or one domain). */
  onChange: publicProcedure.input(onChangeInput).subscription(async function* ({ ctx, input, signal }) {
    const wanted = (change: JobChange) =>
      (!input?.job_id || change.job_id === input.job_id) && (!input?.domain || change.domain === input.domain.toLowerCase());
    yield* changeStream(ctx.manager, wanted, signal);
  }),
});
