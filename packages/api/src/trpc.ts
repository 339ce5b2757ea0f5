/**
 * The one place tRPC is initialised: the context, the error formatter and the procedure
 * bases. Routers stay thin; the rules live in the service (`scrape-job-manager.ts`).
 */
import { assertCan, DomainError, validationError, type Permission } from '@scrape-jobs/domain';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { sanitizeDetails, sanitizeSentence, toDomainError, trpcCodeOf } from './errors.ts';
import { createAccessService, type AccessService } from './access-service.ts';
import { OPEN_CALLER, type Caller } from './caller.ts';
import { enforceRateLimit, type RateLimitBucket, type RateLimiter } from './rate-limit/index.ts';
import type { ScrapeJobManager } from './scrape-job-manager.ts';
import type { WebhookManager } from './webhooks/webhook-manager.ts';

/**
 * What a procedure needs, without any request: tests build it directly and call the
 * router through `createCaller` against a real database.
 */
export interface InnerContext {
  manager: ScrapeJobManager;
  /** API keys and the general audit trail. */
  access: AccessService;
  /** Who is asking (principal, actor, request id); open access when not given. */
  caller: Caller;
  /** `keys`: every request needs an API key; `open`: requests without one act as admin. */
  authMode: AuthMode;
  /** Counts writes and worker calls; absent means unlimited (in-process callers, most tests). */
  rateLimiter?: RateLimiter | undefined;
  /** The client's address, whom a request without an API key counts against. */
  clientIp?: string | undefined;
  /** Sets a header on the HTTP response, when there is one (the RateLimit fields). */
  setHeader?: ((name: string, value: string) => void) | undefined;
  /** Webhook subscriptions; the `webhooks.*` procedures answer 503 without it. */
  webhooks?: WebhookManager | undefined;
}

export type AuthMode = 'open' | 'keys';

export function createContextInner(opts: {
  manager: ScrapeJobManager;
  access?: AccessService;
  caller?: Caller;
  authMode?: AuthMode;
  rateLimiter?: RateLimiter | undefined;
  clientIp?: string | undefined;
  setHeader?: ((name: string, value: string) => void) | undefined;
  webhooks?: WebhookManager | undefined;
}): InnerContext {
  return {
    manager: opts.manager,
    access: opts.access ?? createAccessService({ db: opts.manager.db }),
    caller: opts.caller ?? OPEN_CALLER,
    authMode: opts.authMode ?? 'open',
    rateLimiter: opts.rateLimiter,
    clientIp: opts.clientIp,
    setHeader: opts.setHeader,
    webhooks: opts.webhooks,
  };
}

const t = initTRPC.context<InnerContext>().create({
  /**
   * Clients get the contract's sentence as the message, the domain code, and the details
   * (e.g. `{ currentStatus, reason }` for a refused retry). Schema failures arrive here as
   * DomainErrors too: `domainErrors` below has turned them into the first problem in words.
   */
  errorFormatter({ shape, error }) {
    const domain = error.cause instanceof DomainError ? error.cause : undefined;
    return {
      ...shape,
      message: sanitizeSentence(shape.message),
      data: { ...shape.data, stack: undefined, domainCode: domain?.code, details: domain ? sanitizeDetails(domain.details) : undefined },
    };
  },
});

const fromDomain = (cause: unknown, path: string) => {
  const domain = toDomainError(cause, `run ${path}`);
  return new TRPCError({ code: trpcCodeOf(domain.code), message: domain.message, cause: domain });
};

/**
 * Domain errors leave procedures as the tRPC code the one error map gives them. `check` (a
 * permission) runs first in the same layer: every middleware costs each call a copy of its
 * options, so a procedure base is one middleware, not two.
 */
const domainErrors = (check?: (ctx: InnerContext) => void) =>
  t.middleware(async ({ ctx, next, path }) => {
    if (check) {
      try {
        check(ctx);
      } catch (error) {
        throw fromDomain(error, path);
      }
    }
    const result = await next();
    // Bad input: the first problem in words as the message (not zod's JSON dump), also for
    // in-process callers that never see the error formatter.
    if (!result.ok && result.error.cause instanceof ZodError && result.error.code === 'BAD_REQUEST') {
      const domain = validationError(result.error.cause);
      throw new TRPCError({ code: 'BAD_REQUEST', message: domain.message, cause: domain });
    }
    if (!result.ok && !(result.error.cause instanceof ZodError) && result.error.code === 'INTERNAL_SERVER_ERROR') {
      throw fromDomain(result.error.cause ?? result.error, path);
    }
    return result;
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
/** Any authenticated caller (createContext has already refused a missing or invalid key). */
export const publicProcedure = t.procedure.use(domainErrors());

/**
 * Counts a procedure against a rate-limit bucket before its input is even parsed (a flood
 * of bad input is limited too); `bucket` may choose from the raw input. A refusal is
 * TOO_MANY_REQUESTS through `domainErrors`, with the RateLimit headers on the response.
 */
export function rateLimited(bucket: RateLimitBucket | ((rawInput: unknown) => RateLimitBucket)) {
  return t.middleware(async ({ ctx, next, getRawInput }) => {
    if (ctx.rateLimiter) {
      enforceRateLimit({
        limiter: ctx.rateLimiter,
        bucket: typeof bucket === 'function' ? bucket(await getRawInput()) : bucket,
        principal: ctx.caller.principal,
        clientIp: ctx.clientIp,
        setHeader: ctx.setHeader,
      });
    }
    return next();
  });
}

/** A procedure base whose callers need `permission` (403 FORBIDDEN otherwise), checked before the input. */
const requiring = (permission: Permission) => t.procedure.use(domainErrors((ctx) => assertCan(ctx.caller.principal, permission)));

/** list, get, stats, history, results, the change feed. */
export const readProcedure = requiring('jobs:read');
/** create, cancel, retry: the `writes` bucket. */
export const writeProcedure = requiring('jobs:write').use(rateLimited('writes'));
/** The queue's read (peek): not rate limited. */
export const queueReadProcedure = requiring('queue:work');
/** The queue's writes: claim, heartbeat, report pages, release: the `worker` bucket. */
export const workerProcedure = queueReadProcedure.use(rateLimited('worker'));
/** Webhook subscriptions: reading them, and changing them (the `writes` bucket). */
export const webhookReadProcedure = requiring('webhooks:read');
export const webhookManageProcedure = requiring('webhooks:manage').use(rateLimited('writes'));
/** API keys and the audit trail (its writes add `rateLimited('writes')`). */
export const adminProcedure = requiring('keys:manage');

const hasClaimToken = (raw: unknown) => typeof raw === 'object' && raw !== null && (raw as { claim_token?: unknown }).claim_token !== undefined;

/**
 * `scrapeJobs.update`: a write fenced by a claim token is the worker's (queue:work, `worker`
 * bucket); without one it is an operator's edit (jobs:write, `writes`). So a worker key
 * cannot touch a job it does not hold.
 */
export const jobUpdateProcedure = publicProcedure
  .use(async ({ ctx, getRawInput, next }) => {
    assertCan(ctx.caller.principal, hasClaimToken(await getRawInput()) ? 'queue:work' : 'jobs:write');
    return next();
  })
  .use(rateLimited((raw) => (hasClaimToken(raw) ? 'worker' : 'writes')));
