/**
 * The one place tRPC is initialised: the context, the error formatter and the procedure
 * bases. Routers stay thin; the rules live in the service (`scrape-job-manager.ts`).
 */
import { DomainError, validationError } from '@scrape-jobs/domain';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { toDomainError, trpcCodeOf } from './errors.ts';
import { OPEN_CALLER, type Caller } from './caller.ts';
import type { ScrapeJobManager } from './scrape-job-manager.ts';
import type { WebhookManager } from './webhooks/webhook-manager.ts';

/**
 * What a procedure needs, without any request: tests build it directly and call the
 * router through `createCaller` against a real database.
 */
export interface InnerContext {
  manager: ScrapeJobManager;
  /** Who is asking (principal, actor, request id); open access when not given. */
  caller: Caller;
  /** `keys`: every request needs an API key; `open`: requests without one act as admin. */
  authMode: AuthMode;
  /** Webhook subscriptions; the `webhooks.*` procedures answer 503 without it. */
  webhooks?: WebhookManager | undefined;
}

export type AuthMode = 'open' | 'keys';

export function createContextInner(opts: { manager: ScrapeJobManager; caller?: Caller; authMode?: AuthMode; webhooks?: WebhookManager }): InnerContext {
  return { manager: opts.manager, caller: opts.caller ?? OPEN_CALLER, authMode: opts.authMode ?? 'open', webhooks: opts.webhooks };
}

const t = initTRPC.context<InnerContext>().create({
  /**
   * Clients get the contract's sentence as the message, the domain code, and the details
   * (e.g. `{ currentStatus, reason }` for a refused retry). Schema failures arrive here as
   * DomainErrors too: `domainErrors` below has turned them into the first problem in words.
   */
  errorFormatter({ shape, error }) {
    const domain = error.cause instanceof DomainError ? error.cause : undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, domainCode: domain?.code, details: domain?.details } };
  },
});

/** Domain errors leave procedures as the tRPC code the one error map gives them. */
const domainErrors = t.middleware(async ({ next, path }) => {
  const result = await next();
  // Bad input: the first problem in words as the message (not zod's JSON dump), also for
  // in-process callers that never see the error formatter.
  if (!result.ok && result.error.cause instanceof ZodError && result.error.code === 'BAD_REQUEST') {
    const domain = validationError(result.error.cause);
    throw new TRPCError({ code: 'BAD_REQUEST', message: domain.message, cause: domain });
  }
  if (!result.ok && !(result.error.cause instanceof ZodError) && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const domain = toDomainError(result.error.cause ?? result.error, `run ${path}`);
    throw new TRPCError({ code: trpcCodeOf(domain.code), message: domain.message, cause: domain });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors);
