import { listAuditEventsInputSchema } from '@scrape-jobs/domain';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

export const auditRouter = createTRPCRouter({
  /** Actions that are not job changes (key creation, revocation, …), newest first. */
  list: adminProcedure.input(listAuditEventsInputSchema.optional()).query(({ ctx, input }) =>
    ctx.access.listAuditEvents(input ?? { limit: 50, offset: 0 }, ctx.caller),
  ),
});
