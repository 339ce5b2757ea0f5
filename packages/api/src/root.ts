import { apiKeysRouter } from './routers/api-keys.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { queueRouter } from './routers/queue.ts';
import { scrapeJobsRouter } from './routers/scrape-jobs.ts';
import { webhooksRouter } from './routers/webhooks.ts';
import { createCallerFactory, createTRPCRouter } from './trpc.ts';

export const appRouter = createTRPCRouter({
  scrapeJobs: scrapeJobsRouter,
  queue: queueRouter,
  auth: authRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process: `createCaller(createContextInner({ manager }))`. */
export const createCaller = createCallerFactory(appRouter);
