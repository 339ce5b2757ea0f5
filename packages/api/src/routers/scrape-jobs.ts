import {
  cancelJobInputSchema,
  changeFeedInputSchema,
  createJobInputSchema,
  jobIdInputSchema,
  listJobsInputSchema,
  resultsInputSchema,
  retryJobInputSchema,
  statsInputSchema,
  updateJobInputSchema,
  DomainError,
  type JobChange,
} from '@scrape-jobs/domain';
import { ALWAYS_ANNOUNCED_STATUSES } from '@scrape-jobs/db';
import { changeStream } from '../change-stream.ts';
import { createTRPCRouter, jobUpdateProcedure, readProcedure, writeProcedure } from '../trpc.ts';
import { isVisible } from '../scrape-job-manager.ts';
import { cancelledView, createdView, updatedView } from '../views.ts';

export const scrapeJobsRouter = createTRPCRouter({
  list: readProcedure.input(listJobsInputSchema).query(async ({ ctx, input }) => {
    const { jobs, pagination } = await ctx.manager.getJobs(input, ctx.caller);
    return { jobs, pagination };
  }),

  create: writeProcedure.input(createJobInputSchema).mutation(async ({ ctx, input }) => {
    return createdView(await ctx.manager.createJob(input, ctx.caller));
  }),

  get: readProcedure.input(jobIdInputSchema).query(async ({ ctx, input }) => {
    const job = await ctx.manager.getJob(input.id, ctx.caller);
    if (!job) throw new DomainError('NOT_FOUND', 'Job not found');
    return job;
  }),

  update: jobUpdateProcedure.input(updateJobInputSchema).mutation(async ({ ctx, input: { id, ...fields } }) => {
    return updatedView(await ctx.manager.updateJob(id, fields, ctx.caller));
  }),

  cancel: writeProcedure.input(cancelJobInputSchema).mutation(async ({ ctx, input }) => {
    return cancelledView(await ctx.manager.cancelJob(input.id, input.reason, ctx.caller));
  }),

  retry: writeProcedure.input(retryJobInputSchema).mutation(async ({ ctx, input }) => {
    const { job } = await ctx.manager.retryJob(input.id, { reason: input.reason, retriedBy: input.retried_by }, ctx.caller);
    return job;
  }),

  stats: readProcedure.input(statsInputSchema.optional()).query(({ ctx, input }) => ctx.manager.getJobStats(input ?? {}, ctx.caller)),

  history: readProcedure.input(jobIdInputSchema).query(({ ctx, input }) => ctx.manager.getJobHistory(input.id, ctx.caller)),

  /** The job's pages (url, status, title, products, …) in fetch order, paged. */
  results: readProcedure.input(resultsInputSchema).query(({ ctx, input }) => ctx.manager.getResults(input, ctx.caller)),

  /**
   * Server-sent events: every change to a job (optionally one job or one domain, or only the
   * moves into some statuses); a tenant's key sees its tenant's jobs only. A subscription
   * only to moves into pending or cancelled (a worker's) does not watch the feed: those are
   * always announced, and watching would make every other update announced too.
   */
  onChange: readProcedure.input(changeFeedInputSchema).subscription(async function* ({ ctx, input, signal }) {
    const into = input?.into_statuses;
    const wanted = (change: JobChange) =>
      isVisible(change, ctx.caller) &&
      (!input?.job_id || change.job_id === input.job_id) &&
      (!input?.domain || change.domain === input.domain.toLowerCase()) &&
      (!into || (into.includes(change.new_status) && change.old_status !== change.new_status));
    const watch = !into || !into.every((status) => ALWAYS_ANNOUNCED_STATUSES.includes(status));
    yield* changeStream(ctx.manager, wanted, signal, { watch });
  }),
});
