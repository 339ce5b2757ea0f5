import { createApiKeyInputSchema, listApiKeysInputSchema, revokeApiKeyInputSchema } from '@scrape-jobs/domain';
import { adminProcedure, createTRPCRouter, rateLimited } from '../trpc.ts';

export const apiKeysRouter = createTRPCRouter({
  list: adminProcedure.input(listApiKeysInputSchema.optional()).query(({ ctx, input }) =>
    ctx.access.listKeys(input ?? { include_revoked: true }, ctx.caller),
  ),

  /** The answer's `key` is the secret: shown this once, never stored. */
  create: adminProcedure.use(rateLimited('writes')).input(createApiKeyInputSchema).mutation(({ ctx, input }) => ctx.access.createKey(input, ctx.caller)),

  revoke: adminProcedure.use(rateLimited('writes')).input(revokeApiKeyInputSchema).mutation(({ ctx, input }) => ctx.access.revokeKey(input.id, ctx.caller)),
});
