import { createApiKeyInputSchema, listApiKeysInputSchema, listAuditEventsInputSchema, parseInput, revokeApiKeyInputSchema } from '@scrape-jobs/domain';
import type { FastifyInstance } from 'fastify';
import type { AccessService } from '../access-service.ts';
import { callerOf } from './request-caller.ts';
import { objectBody, ok, route, WRITES } from './route.ts';

export interface AccessRoutesOptions {
  access: AccessService;
}

/** Key management (/api/keys) and the general audit trail (/api/audit): admins only. */
export async function accessRoutes(app: FastifyInstance, { access }: AccessRoutesOptions): Promise<void> {
  app.get('/api/keys', route('list API keys', 'keys:manage', async (request) => {
    return ok(await access.listKeys(parseInput(listApiKeysInputSchema, request.query ?? {}), callerOf(request)));
  }));

  app.post('/api/keys', WRITES, route('create API key', 'keys:manage', async (request) => {
    const key = await access.createKey(parseInput(createApiKeyInputSchema, objectBody(request)), callerOf(request));
    return { status: 201, body: { success: true, data: key, message: 'API key created; the key is shown only this once' } };
  }));

  app.delete('/api/keys/:id', WRITES, route('revoke API key', 'keys:manage', async (request) => {
    const { id } = parseInput(revokeApiKeyInputSchema, { id: (request.params as { id: string }).id });
    return ok(await access.revokeKey(id, callerOf(request)), { message: 'API key revoked' });
  }));

  app.get('/api/audit', route('list audit events', 'keys:manage', async (request) => {
    const { events, pagination } = await access.listAuditEvents(parseInput(listAuditEventsInputSchema, request.query ?? {}), callerOf(request));
    return ok(events, { pagination });
  }));
}
