import {
  createWebhookInputSchema,
  DomainError,
  listWebhookDeliveriesInputSchema,
  parseInput,
  rotateWebhookSecretInputSchema,
  updateWebhookInputSchema,
  webhookDeliveryIdSchema,
  webhookIdSchema,
} from '@scrape-jobs/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, toDomainError, toErrorEnvelope } from '../errors.ts';
import type { WebhookManager } from '../webhooks/webhook-manager.ts';
import { callerOf } from './request-caller.ts';

export interface WebhooksRoutesOptions {
  webhooks: WebhookManager;
}

type Handler = (request: FastifyRequest) => Promise<{ status?: number; data: unknown; message?: string; pagination?: unknown }>;

/** A handler with the contract's envelope; `operation` names the 500's sentence. */
function route(operation: string, handler: Handler) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const { status = 200, data, ...extra } = await handler(request);
      return reply.code(status).send({ success: true, data, ...extra });
    } catch (error) {
      const domain = toDomainError(error, operation);
      if (domain.code === 'INTERNAL') request.log.error({ err: error }, domain.message);
      return reply.code(httpStatusOf(domain.code)).send(toErrorEnvelope(domain));
    }
  };
}

function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('VALIDATION', 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}

const paramId = (request: FastifyRequest) => (request.params as { id: string }).id;
const webhookId = (request: FastifyRequest) => parseInput(webhookIdSchema, paramId(request));

/** /api/webhooks: the same service methods as the `webhooks.*` procedures. */
export async function webhooksRoutes(app: FastifyInstance, { webhooks }: WebhooksRoutesOptions): Promise<void> {
  app.get('/api/webhooks', route('list webhooks', async (request) => ({ data: await webhooks.list(callerOf(request)) })));

  app.post('/api/webhooks', route('create webhook', async (request) => {
    const input = parseInput(createWebhookInputSchema, objectBody(request));
    return { status: 201, data: await webhooks.create(input, callerOf(request)), message: 'Webhook created successfully' };
  }));

  app.get('/api/webhooks/:id', route('fetch webhook', async (request) => ({ data: await webhooks.get(webhookId(request), callerOf(request)) })));

  const update = route('update webhook', async (request) => {
    const { id, ...fields } = parseInput(updateWebhookInputSchema, { ...objectBody(request), id: paramId(request) });
    return { data: await webhooks.update(id, fields, callerOf(request)), message: 'Webhook updated successfully' };
  });
  app.patch('/api/webhooks/:id', update);
  app.put('/api/webhooks/:id', update);

  app.delete('/api/webhooks/:id', route('delete webhook', async (request) => {
    return { data: await webhooks.remove(webhookId(request), callerOf(request)), message: 'Webhook deleted successfully' };
  }));

  app.post('/api/webhooks/:id/rotate-secret', route('rotate webhook secret', async (request) => {
    const input = parseInput(rotateWebhookSecretInputSchema, { ...objectBody(request), id: paramId(request) });
    return { data: await webhooks.rotateSecret(input.id, input.previous_secret_ttl_seconds, callerOf(request)), message: 'Webhook secret rotated' };
  }));

  app.post('/api/webhooks/:id/test', route('send webhook test', async (request) => {
    return { status: 202, data: await webhooks.test(webhookId(request), callerOf(request)), message: 'Test ping queued' };
  }));

  app.get('/api/webhooks/:id/deliveries', route('list webhook deliveries', async (request) => {
    const input = parseInput(listWebhookDeliveriesInputSchema, { ...(request.query as object), id: paramId(request) });
    const { deliveries, pagination } = await webhooks.deliveries(input, callerOf(request));
    return { data: deliveries, pagination };
  }));

  app.post('/api/webhooks/deliveries/:id/redeliver', route('redeliver webhook', async (request) => {
    const id = parseInput(webhookDeliveryIdSchema, paramId(request));
    return { status: 202, data: await webhooks.redeliver(id, callerOf(request)), message: 'Delivery queued again' };
  }));
}
