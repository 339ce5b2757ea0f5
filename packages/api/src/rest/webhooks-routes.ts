import {
  createWebhookInputSchema,
  listWebhookDeliveriesInputSchema,
  parseInput,
  rotateWebhookSecretInputSchema,
  updateWebhookInputSchema,
  webhookDeliveryIdSchema,
  webhookIdSchema,
} from '@scrape-jobs/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebhookManager } from '../webhooks/webhook-manager.ts';
import { callerOf } from './request-caller.ts';
import { objectBody, ok, route, WRITES } from './route.ts';

export interface WebhooksRoutesOptions {
  webhooks: WebhookManager;
}

const paramId = (request: FastifyRequest) => (request.params as { id: string }).id;
const webhookId = (request: FastifyRequest) => parseInput(webhookIdSchema, paramId(request));

/** /api/webhooks: the same service methods as the `webhooks.*` procedures. */
export async function webhooksRoutes(app: FastifyInstance, { webhooks }: WebhooksRoutesOptions): Promise<void> {
  app.get('/api/webhooks', route('list webhooks', 'webhooks:read', async (request) => ok(await webhooks.list(callerOf(request)))));

  app.post('/api/webhooks', WRITES, route('create webhook', 'webhooks:manage', async (request) => {
    const input = parseInput(createWebhookInputSchema, objectBody(request));
    return { status: 201, ...ok(await webhooks.create(input, callerOf(request)), { message: 'Webhook created successfully' }) };
  }));

  app.get('/api/webhooks/:id', route('fetch webhook', 'webhooks:read', async (request) => ok(await webhooks.get(webhookId(request), callerOf(request)))));

  const update = route('update webhook', 'webhooks:manage', async (request) => {
    const { id, ...fields } = parseInput(updateWebhookInputSchema, { ...objectBody(request), id: paramId(request) });
    return ok(await webhooks.update(id, fields, callerOf(request)), { message: 'Webhook updated successfully' });
  });
  app.patch('/api/webhooks/:id', WRITES, update);
  app.put('/api/webhooks/:id', WRITES, update);

  app.delete('/api/webhooks/:id', WRITES, route('delete webhook', 'webhooks:manage', async (request) => {
    return ok(await webhooks.remove(webhookId(request), callerOf(request)), { message: 'Webhook deleted successfully' });
  }));

  app.post('/api/webhooks/:id/rotate-secret', WRITES, route('rotate webhook secret', 'webhooks:manage', async (request) => {
    const input = parseInput(rotateWebhookSecretInputSchema, { ...objectBody(request), id: paramId(request) });
    return ok(await webhooks.rotateSecret(input.id, input.previous_secret_ttl_seconds, callerOf(request)), { message: 'Webhook secret rotated' });
  }));

  app.post('/api/webhooks/:id/test', WRITES, route('send webhook test', 'webhooks:manage', async (request) => {
    return { status: 202, ...ok(await webhooks.test(webhookId(request), callerOf(request)), { message: 'Test ping queued' }) };
  }));

  app.get('/api/webhooks/:id/deliveries', route('list webhook deliveries', 'webhooks:read', async (request) => {
    const input = parseInput(listWebhookDeliveriesInputSchema, { ...(request.query as object), id: paramId(request) });
    const { deliveries, pagination } = await webhooks.deliveries(input, callerOf(request));
    return ok(deliveries, { pagination });
  }));

  app.post('/api/webhooks/deliveries/:id/redeliver', WRITES, route('redeliver webhook', 'webhooks:manage', async (request) => {
    const id = parseInput(webhookDeliveryIdSchema, paramId(request));
    return { status: 202, ...ok(await webhooks.redeliver(id, callerOf(request)), { message: 'Delivery queued again' }) };
  }));
}
