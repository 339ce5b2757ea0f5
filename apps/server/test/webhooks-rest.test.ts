/**
 * /api/webhooks over real HTTP on PGlite: the management routes' answers, and bad input on
 * every route answering 400 with a sentence while every webhook table stays unchanged.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from './test-server.ts';

let server: TestServer;
let webhookId: string;
let deliveryId: string;
const UNKNOWN = '6f1c1a52-6c0e-4d43-9b7a-1f2e3d4c5b6a';

beforeAll(async () => {
  // No dispatcher: deliveries stay pending, so the log is exactly what the trigger queued.
  server = await startTestServer('pglite', { webhookAllowHosts: '127.0.0.1' });
  const created = await api(server.url, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', description: 'first' });
  webhookId = created.body.data.id;
  const ping = await api(server.url, 'POST', `/api/webhooks/${webhookId}/test`);
  deliveryId = ping.body.data.delivery_id;
});
afterAll(async () => server?.close());

async function webhookTables(): Promise<unknown> {
  const prisma = server.database.db.prisma;
  const rows = {
    endpoints: await prisma.$queryRaw`SELECT * FROM webhook_endpoints ORDER BY id`,
    events: await prisma.$queryRaw`SELECT * FROM webhook_events ORDER BY id`,
    deliveries: await prisma.$queryRaw`SELECT * FROM webhook_deliveries ORDER BY id`,
    attempts: await prisma.$queryRaw`SELECT * FROM webhook_attempts ORDER BY id`,
  };
  return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
}

describe('managing endpoints', () => {
  test('create, read, update, delete; the list and get never show the secret', async () => {
    const created = await api(server.url, 'POST', '/api/webhooks', {
      url: 'https://hooks.example.com/in#fragment',
      events: ['job_progress', 'job_status_changed', 'job_progress'],
      progress_interval_ms: 5000,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      success: true,
      message: 'Webhook created successfully',
      data: { url: 'https://hooks.example.com/in', events: ['job_progress', 'job_status_changed'], active: true, tenant_id: null, progress_interval_ms: 5000, description: '' },
    });
    const id = created.body.data.id;
    expect(created.body.data.secret).toMatch(/^whsec_/);

    const got = await api(server.url, 'GET', `/api/webhooks/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual({ ...created.body.data, secret: undefined, updated_at: got.body.data.updated_at });
    expect('secret' in got.body.data).toBe(false);

    const updated = await api(server.url, 'PATCH', `/api/webhooks/${id}`, { active: false, description: 'paused' });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ id, active: false, description: 'paused', url: 'https://hooks.example.com/in' });

    const list = await api(server.url, 'GET', '/api/webhooks');
    expect(list.body.data.map((w: any) => w.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');

    const deleted = await api(server.url, 'DELETE', `/api/webhooks/${id}`);
    expect(deleted.status).toBe(200);
    expect((await api(server.url, 'GET', `/api/webhooks/${id}`)).status).toBe(404);
    expect((await api(server.url, 'DELETE', `/api/webhooks/${id}`)).body).toEqual({ success: false, error: 'Webhook not found' });
  });

  test('the delivery log is paged and filtered by status', async () => {
    const page = await api(server.url, 'GET', `/api/webhooks/${webhookId}/deliveries?limit=1&status=pending`);
    expect(page.status).toBe(200);
    expect(page.body.pagination).toMatchObject({ offset: 0, limit: 1, total: 1, has_more: false });
    expect(page.body.data[0]).toMatchObject({ id: deliveryId, webhook_id: webhookId, event_type: 'ping', status: 'pending', attempts: 0, attempt_log: [] });
    const none = await api(server.url, 'GET', `/api/webhooks/${webhookId}/deliveries?status=failed`);
    expect(none.body.data).toEqual([]);
  });
});

describe('bad input changes nothing', () => {
  const cases: Array<[string, string, () => string, unknown, number, RegExp]> = [
    ['POST', 'create without url', () => '/api/webhooks', {}, 400, /^url is required$/],
    ['POST', 'create with ftp', () => '/api/webhooks', { url: 'ftp://example.com/x' }, 400, /scheme must be http or https/],
    ['POST', 'create with credentials', () => '/api/webhooks', { url: 'https://u:p@example.com/x' }, 400, /credentials/],
    ['POST', 'create with a relative url', () => '/api/webhooks', { url: '/hook' }, 400, /not an absolute URL/],
    ['POST', 'create with a private address', () => '/api/webhooks', { url: 'http://10.1.2.3/hook' }, 400, /private address.*WEBHOOK_ALLOW_HOSTS/],
    ['POST', 'create with localhost', () => '/api/webhooks', { url: 'http://localhost:8080/hook' }, 400, /loopback address/],
    ['POST', 'create with IPv6 loopback', () => '/api/webhooks', { url: 'http://[::1]:8080/hook' }, 400, /loopback address/],
    ['POST', 'create with the metadata address', () => '/api/webhooks', { url: 'http://169.254.169.254/latest' }, 400, /linkLocal address/],
    ['POST', 'create with an unknown event', () => '/api/webhooks', { url: 'https://example.com/h', events: ['job_deleted'] }, 400, /Invalid event: "job_deleted"/],
    ['POST', 'create with no events', () => '/api/webhooks', { url: 'https://example.com/h', events: [] }, 400, /at least one event/],
    ['POST', 'create with a bad tenant', () => '/api/webhooks', { url: 'https://example.com/h', tenant_id: 'acme' }, 400, /tenant_id must be a UUID/],
    ['POST', 'create with a tiny interval', () => '/api/webhooks', { url: 'https://example.com/h', progress_interval_ms: 10 }, 400, /progress_interval_ms must be between/],
    ['POST', 'create with an unknown field', () => '/api/webhooks', { url: 'https://example.com/h', secret: 'whsec_x' }, 400, /Unknown field: secret/],
    ['POST', 'create with an array body', () => '/api/webhooks', [1], 400, /must be a JSON object/],
    ['POST', 'create with malformed JSON', () => '/api/webhooks', '{"url":', 400, /Malformed JSON/],
    ['GET', 'get with a bad id', () => '/api/webhooks/nope', undefined, 400, /Invalid webhook id/],
    ['GET', 'get an unknown id', () => `/api/webhooks/${UNKNOWN}`, undefined, 404, /^Webhook not found$/],
    ['PATCH', 'update with nothing', () => `/api/webhooks/${webhookId}`, {}, 400, /Nothing to update/],
    ['PATCH', 'update with a bad url', () => `/api/webhooks/${webhookId}`, { url: 'mailto:a@b.c' }, 400, /scheme must be http or https/],
    ['PATCH', 'update to a private url', () => `/api/webhooks/${webhookId}`, { url: 'http://192.168.1.1/' }, 400, /private address/],
    ['PATCH', 'update active with a string', () => `/api/webhooks/${webhookId}`, { active: 'yes' }, 400, /active must be true or false/],
    ['PATCH', 'update an unknown field', () => `/api/webhooks/${webhookId}`, { id: UNKNOWN, created_at: 'x' }, 400, /Unknown field: created_at/],
    ['PATCH', 'update with a bad id', () => '/api/webhooks/123', { active: true }, 400, /Invalid webhook id/],
    ['PUT', 'update an unknown id', () => `/api/webhooks/${UNKNOWN}`, { active: true }, 404, /^Webhook not found$/],
    ['DELETE', 'delete with a bad id', () => '/api/webhooks/x', undefined, 400, /Invalid webhook id/],
    ['DELETE', 'delete an unknown id', () => `/api/webhooks/${UNKNOWN}`, undefined, 404, /^Webhook not found$/],
    ['POST', 'rotate with a bad ttl', () => `/api/webhooks/${webhookId}/rotate-secret`, { previous_secret_ttl_seconds: -1 }, 400, /between 0 and 604800/],
    ['POST', 'rotate with an unknown field', () => `/api/webhooks/${webhookId}/rotate-secret`, { secret: 'mine' }, 400, /Unknown field: secret/],
    ['POST', 'rotate an unknown id', () => `/api/webhooks/${UNKNOWN}/rotate-secret`, {}, 404, /^Webhook not found$/],
    ['POST', 'test with a bad id', () => '/api/webhooks/zz/test', undefined, 400, /Invalid webhook id/],
    ['POST', 'test an unknown id', () => `/api/webhooks/${UNKNOWN}/test`, undefined, 404, /^Webhook not found$/],
    ['GET', 'deliveries with a bad status', () => `/api/webhooks/${webhookId}/deliveries?status=lost`, undefined, 400, /Invalid status: "lost"/],
    ['GET', 'deliveries with a bad limit', () => `/api/webhooks/${webhookId}/deliveries?limit=abc`, undefined, 400, /limit must be an integer between 1 and 200/],
    ['GET', 'deliveries with an unknown parameter', () => `/api/webhooks/${webhookId}/deliveries?sort=id`, undefined, 400, /Unknown field: sort|Unknown query parameter: sort/],
    ['GET', 'deliveries of an unknown id', () => `/api/webhooks/${UNKNOWN}/deliveries`, undefined, 404, /^Webhook not found$/],
    ['POST', 'redeliver with a bad id', () => '/api/webhooks/deliveries/abc/redeliver', undefined, 400, /Invalid delivery id/],
    ['POST', 'redeliver an unknown id', () => '/api/webhooks/deliveries/999999/redeliver', undefined, 404, /^Delivery not found$/],
    ['POST', 'redeliver a pending delivery', () => `/api/webhooks/deliveries/${deliveryId}/redeliver`, undefined, 409, /^Delivery is already scheduled$/],
  ];

  test.each(cases)('%s %s', async (method, _name, path, body, status, sentence) => {
    const before = await webhookTables();
    const response = await api(server.url, method, path(), body);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.body.success).toBe(false);
    expect(response.body.error).toMatch(sentence);
    expect(await webhookTables()).toEqual(before);
  });
});
