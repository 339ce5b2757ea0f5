export { appRouter, createCaller, type AppRouter } from './root.ts';
export { callerFor, OPEN_CALLER, type Caller } from './caller.ts';
export { createContextInner, type AuthMode, type InnerContext } from './trpc.ts';
export { createScrapeJobManager, DEFAULT_CLAIM_TIMEOUT_MS, type ScrapeJobManager, type Pagination } from './scrape-job-manager.ts';
export { scrapeJobsRoutes } from './rest/scrape-jobs-routes.ts';
export { startClaimSweeper, type ClaimSweeper } from './claim-sweeper.ts';
export { httpStatusOf, toDomainError, toErrorEnvelope, type ErrorEnvelope } from './errors.ts';

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './root.ts';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { webhooksRoutes } from './rest/webhooks-routes.ts';
export { createWebhookManager, type WebhookManager, type WebhookEndpointView, type WebhookDeliveryView } from './webhooks/webhook-manager.ts';
export { startWebhookDispatcher, type WebhookDispatcher, type WebhookDispatcherOptions, type WebhookRequest, type WebhookResponse, type WebhookSender } from './webhooks/dispatcher.ts';
export { DEFAULT_RETRY_SCHEDULE_MS, parseRetrySchedule } from './webhooks/retry-schedule.ts';
export { generateWebhookSecret, signWebhook, webhookHeaders } from './webhooks/signing.ts';
