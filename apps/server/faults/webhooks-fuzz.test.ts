/**
 * Fuzzing the webhook routes and procedures: generated malformed requests never answer 500,
 * every refusal uses the envelope, and a refused request leaves the webhook tables (and the
 * jobs) exactly as they were.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from '../test/test-server.ts';
import { expectCleanAnswer } from './clean-answer.ts';

const CI_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261203 : undefined;

let server: TestServer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer('pglite', { webhookAllowHosts: '127.0.0.1' });
  ids.webhook = (await api(server.url, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['job_status_changed', 'job_progress'] })).body.data.id;
  await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'fuzz-hooks.example' });
  ids.delivery = (await api(server.url, 'POST', `/api/webhooks/${ids.webhook}/test`)).body.data.delivery_id;
});
afterAll(async () => server?.close());

async function fingerprint(): Promise<string> {
  const [row] = await server.database.db.prisma.$queryRaw<Array<{ f: string }>>`
    SELECT concat_ws('/',
      (SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY id), '')) FROM webhook_endpoints t),
      (SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY id), '')) FROM webhook_events t),
      (SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY id), '')) FROM webhook_deliveries t),
      (SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY id), '')) FROM webhook_attempts t),
      (SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY id), '')) FROM scrape_jobs t)) AS f`;
  return row!.f;
}

const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '%', '%zz', "'; DROP TABLE webhook_endpoints;--", '💥', 'a'.repeat(600), '-1', '1e309', 'NaN', 'http://10.0.0.1/', 'http://[::1]/', 'javascript:alert(1)', 'https://u:p@x.com/'),
);
const junkValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 3 }), junkString, fc.constantFrom(-1, 0, 1.5, 999, 1e12, true, false, null, ['job_progress'], ['nope']));
const fields = ['url', 'events', 'description', 'active', 'tenant_id', 'progress_interval_ms', 'previous_secret_ttl_seconds', 'status', 'limit', 'offset', 'secret'];
const junkObject = fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 })), junkValue, { maxKeys: 5 });
const body = fc.oneof(junkObject.map((o) => JSON.stringify(o)), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), junkString, fc.constantFrom('{', '{"url":', '[1,2'));
const idPart = fc.oneof(fc.constantFrom('@webhook', '@delivery'), fc.uuid(), fc.nat().map(String), junkString.map(encodeURIComponent));
const query = fc.dictionary(fc.oneof(fc.constantFrom('status', 'limit', 'offset'), fc.string({ maxLength: 8 })), junkString, { maxKeys: 3 });
const resolveId = (id: string) => (id.startsWith('@') ? ids[id.slice(1)]! : id);

const restRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  route: fc.constantFrom('', '/{id}', '/{id}/rotate-secret', '/{id}/test', '/{id}/deliveries', '/deliveries/{id}/redeliver'),
  id: idPart,
  query,
  body: fc.option(body, { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'application/json', 'text/plain'),
});

async function send(method: string, path: string, rawBody: string | undefined, contentType: string) {
  const payload = method === 'GET' ? undefined : rawBody;
  const response = await fetch(server.url + path, { method, headers: payload === undefined ? {} : { 'content-type': contentType }, body: payload });
  return { status: response.status, text: await response.text() };
}

test('REST: generated malformed webhook requests never answer 500 and a refusal changes nothing', { timeout: 240_000 }, async () => {
  let tried = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(restRequest, async (r) => {
      const qs = new URLSearchParams(r.query).toString();
      const path = `/api/webhooks${r.route.replace('{id}', resolveId(r.id))}${qs ? `?${qs}` : ''}`;
      // Deleting the seeded endpoint would make every later request a 404: not a useful case.
      if (r.method === 'DELETE' && r.route === '/{id}' && r.id === '@webhook') return;
      const before = await fingerprint();
      const answer = await send(r.method, path, r.body, r.contentType);
      tried++;
      if (await expectCleanAnswer(answer, `${r.method} ${path} ${r.body ?? ''}`, before, fingerprint)) refused++;
    }),
    { numRuns: 1500, seed: CI_SEED },
  );
  console.log(`fuzz webhooks REST: ${tried} requests tried, ${refused} refused, no 500`);
});

const procedures = [
  ['query', 'webhooks.list'],
  ['query', 'webhooks.get'],
  ['mutation', 'webhooks.create'],
  ['mutation', 'webhooks.update'],
  ['mutation', 'webhooks.rotateSecret'],
  ['mutation', 'webhooks.test'],
  ['query', 'webhooks.deliveries'],
  ['mutation', 'webhooks.redeliver'],
] as const;

const trpcRequest = fc.record({
  procedure: fc.constantFrom(...procedures),
  input: fc.oneof(junkObject, junkObject.chain((o) => idPart.map((id) => ({ ...o, id: resolveId(id) }))), fc.jsonValue({ maxDepth: 2 })),
});

test('tRPC: generated malformed webhook inputs never answer 500 and a refusal changes nothing', { timeout: 240_000 }, async () => {
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(trpcRequest, async ({ procedure, input }) => {
      const [kind, name] = procedure as readonly [string, string];
      const before = await fingerprint();
      const encoded = encodeURIComponent(JSON.stringify(input));
      const response =
        kind === 'query'
          ? await fetch(`${server.url}/trpc/${name}?input=${encoded}`)
          : await fetch(`${server.url}/trpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
      const text = await response.text();
      tried++;
      expect(response.status, `${name} ${JSON.stringify(input)} → ${text}`).toBeLessThan(500);
      if (response.status >= 400) expect(await fingerprint(), `${name} changed the database`).toBe(before);
    }),
    { numRuns: 1000, seed: CI_SEED },
  );
  console.log(`fuzz webhooks tRPC: ${tried} inputs tried, no 500`);
});
