import { PERMISSIONS, can, type Permission } from '@scrape-jobs/domain';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';

export const authRouter = createTRPCRouter({
  /** Who the request is made as, and what it may do (the dashboard shows and hides by it). */
  whoami: publicProcedure.query(({ ctx }) => {
    const { principal } = ctx.caller;
    return {
      mode: ctx.authMode,
      principal: { key_id: principal.keyId, name: principal.name, role: principal.role, tenant_id: principal.tenantId },
      permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(principal, p)),
    };
  }),
});
