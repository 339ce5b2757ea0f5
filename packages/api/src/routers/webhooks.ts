import {
  createWebhookInputSchema,
  DomainError,
  listWebhookDeliveriesInputSchema,
  rotateWebhookSecretInputSchema,
  updateWebhookInputSchema,
  webhookDeliveryIdInputSchema,
  webhookIdInputSchema,
} from '@scrape-jobs/domain';
import { createTRPCRouter, webhookManageProcedure, webhookReadProcedure, type InnerContext } from '../trpc.ts';
import type { WebhookManager } from '../webhooks/webhook-manager.ts';

function webhooksOf(ctx: InnerContext): WebhookManager {
  if (!ctx.webhooks) throw new DomainError('UNAVAILABLE', 'Webhooks are not enabled on this server');
  return ctx.webhooks;
}

/** Webhook subscriptions, the delivery log, redelivery and the test ping (same service as REST). */
export const webhooksRouter = createTRPCRouter({
  list: webhookReadProcedure.query(({ ctx }) => webhooksOf(ctx).list(ctx.caller)),

  get: webhookReadProcedure.input(webhookIdInputSchema).query(({ ctx, input }) => webhooksOf(ctx).get(input.id, ctx.caller)),

  /** Returns the endpoint with its `secret`, shown only here and by rotateSecret. */
  create: webhookManageProcedure.input(createWebhookInputSchema).mutation(({ ctx, input }) => webhooksOf(ctx).create(input, ctx.caller)),

  update: webhookManageProcedure.input(updateWebhookInputSchema).mutation(({ ctx, input: { id, ...fields } }) => webhooksOf(ctx).update(id, fields, ctx.caller)),

  delete: webhookManageProcedure.input(webhookIdInputSchema).mutation(({ ctx, input }) => webhooksOf(ctx).remove(input.id, ctx.caller)),

  rotateSecret: webhookManageProcedure
    .input(rotateWebhookSecretInputSchema)
    .mutation(({ ctx, input }) => webhooksOf(ctx).rotateSecret(input.id, input.previous_secret_ttl_seconds, ctx.caller)),

  test: webhookManageProcedure.input(webhookIdInputSchema).mutation(({ ctx, input }) => webhooksOf(ctx).test(input.id, ctx.caller)),

  deliveries: webhookReadProcedure.input(listWebhookDeliveriesInputSchema).query(({ ctx, input }) => webhooksOf(ctx).deliveries(input, ctx.caller)),

  redeliver: webhookManageProcedure.input(webhookDeliveryIdInputSchema).mutation(({ ctx, input }) => webhooksOf(ctx).redeliver(input.id, ctx.caller)),
});
