export { appRouter, createCaller, type AppRouter } from './root.ts';
export { callerFor, OPEN_CALLER, workerIdFromHeader, type Caller } from './caller.ts';
export { createContextInner, type AuthMode, type InnerContext } from './trpc.ts';
export { createScrapeJobManager, isVisible, DEFAULT_CLAIM_TIMEOUT_MS, type ScrapeJobManager, type Pagination } from './scrape-job-manager.ts';
export { scrapeJobsRoutes } from './rest/scrape-jobs-routes.ts';
export { accessRoutes } from './rest/access-routes.ts';
export { registerRestAuthentication, callerOfRequest } from './rest/authentication.ts';
export { createAccessService, type AccessService, type CreatedApiKey } from './access-service.ts';
export { authenticate, type Credentials } from './auth/authenticate.ts';
export { registerRestRateLimits, type RouteRateLimit } from './rest/rate-limit-hook.ts';
export * from './rate-limit/index.ts';
export { startClaimSweeper, type ClaimSweeper } from './claim-sweeper.ts';
export { httpStatusOf, sanitizeDetails, sanitizeSentence, toDomainError, toErrorEnvelope, trpcCodeOf, type ErrorEnvelope } from './errors.ts';

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
