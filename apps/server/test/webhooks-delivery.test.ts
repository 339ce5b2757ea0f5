/**
 * Webhook delivery end to end on PGlite: real server, real dispatcher and sender, a real
 * local receiver; signatures checked with the official `standardwebhooks` package.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createWebhookSender } from '../src/webhook-sender.ts';
import { api, startTestServer, type TestServer } from './test-server.ts';
import { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver.ts';

let server: TestServer;
const receivers: WebhookReceiver[] = [];
let counter = 0;

beforeAll(async () => {
  server = await startTestServer('pglite', {
    webhookAllowHosts: '127.0.0.1',
    // Quick retries so a test sees the whole schedule; the real default is about a day.
    webhookDispatch: { retrySchedule: [0, 100, 200, 300, 300, 300, 300, 300], pollIntervalMs: 50, timeoutMs: 3000, leaseMs: 5000 },
  });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await server?.close();
});
afterEach(async () => {
  // Endpoints of one test must not receive the next test's events.
  const { body } = await api(server.url, 'GET', '/api/webhooks');
  for (const endpoint of body.data) await api(server.url, 'DELETE', `/api/webhooks/${endpoint.id}`);
});

async function receiver(): Promise<WebhookReceiver> {
  const r = new WebhookReceiver();
  await r.start();
  receivers.push(r);
  return r;
}

async function subscribe(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const { status, body } = await api(server.url, 'POST', '/api/webhooks', { url, ...extra });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.data;
}

const uniqueDomain = () => `hooks-${Date.now().toString(36)}-${counter++}.example.com`;

async function createJob(extra: Record<string, unknown> = {}): Promise<string> {
  const { status, body } = await api(server.url, 'POST', '/api/scrape-jobs', { domain: uniqueDomain(), ...extra });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.data.id;
}

async function setStatus(id: string, status: string, stats?: Record<string, unknown>): Promise<void> {
  const response = await api(server.url, 'PUT', `/api/scrape-jobs/${id}`, { status, ...(stats ? { stats } : {}) });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

const verify = (secret: string, r: ReceivedWebhook) => new Webhook(secret).verify(r.body, r.headers);
const events = (received: ReceivedWebhook[], jobId: string) => received.filter((r) => r.json?.job_id === jobId);

async function deliveriesOf(webhookId: string): Promise<any[]> {
  const { status, body } = await api(server.url, 'GET', `/api/webhooks/${webhookId}/deliveries?limit=200`);
  expect(status).toBe(200);
  return body.data;
}

describe('job_status_changed', () => {
  test('every status change arrives as the user’s payload, signed so that standardwebhooks verifies it', async () => {
    const r = await receiver();
    const { id: webhookId, secret } = await subscribe(r.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    const jobId = await createJob();
    await setStatus(jobId, 'running', { totalPages: 10 });
    await setStatus(jobId, 'completed', { pagesProcessed: 10, dataExtracted: { products: 4 } });

    await r.until((got) => events(got, jobId).length === 3);
    const got = events(r.received, jobId);
    for (const request of got) {
      expect(verify(secret, request)).toEqual(request.json);
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, got[0]!)).toThrow();
    expect(got.map((g) => [g.json.old_status, g.json.new_status])).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'completed'],
    ]);
    const last = got[2]!.json;
    expect(Object.keys(last).sort()).toEqual(['domain', 'event', 'job_id', 'new_status', 'old_status', 'stats', 'timestamp']);
    expect(last).toMatchObject({ event: 'job_status_changed', job_id: jobId, stats: { pagesProcessed: 10, totalPages: 10, dataExtracted: { products: 4 } } });
    expect(last.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(3);

    // The delivery log: each succeeded on its first attempt with the receiver's 200.
    const log = (await deliveriesOf(webhookId)).filter((d) => d.job_id === jobId);
    expect(log.map((d) => [d.status, d.attempts, d.last_status_code])).toEqual([
      ['succeeded', 1, 200],
      ['succeeded', 1, 200],
      ['succeeded', 1, 200],
    ]);
    expect(log[0].attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, error: null, response_snippet: 'ok' })]);
    expect(log.map((d) => d.event_id).reverse()).toEqual(got.map((g) => g.headers['webhook-id']));
  });

  test('an endpoint bound to a tenant gets only that tenant’s jobs; an inactive one gets nothing', async () => {
    const tenantA = '11111111-1111-4111-8111-111111111111';
    const tenantB = '22222222-2222-4222-8222-222222222222';
    const forA = await receiver();
    const inactive = await receiver();
    const all = await receiver();
    await subscribe(forA.url, { tenant_id: tenantA });
    await subscribe(inactive.url, { active: false });
    await subscribe(all.url);
    const jobA = await createJob({ customer_config_id: tenantA });
    const jobB = await createJob({ customer_config_id: tenantB });
    await all.until((got) => events(got, jobA).length === 1 && events(got, jobB).length === 1);
    await forA.until((got) => events(got, jobA).length === 1);
    // The delivery rows are written in the job's own transaction: nothing else is queued.
    const [counted] = await server.database.db.prisma.$queryRaw<Array<{ count: number }>>`
      SELECT count(*)::int AS count FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
      WHERE e.job_id IN (${jobA}::uuid, ${jobB}::uuid)`;
    expect(counted!.count).toBe(3);
    expect(forA.received.map((r) => r.json.job_id)).toEqual([jobA]);
    expect(inactive.received).toEqual([]);
  });
});

describe('job_progress', () => {
  test('a running job’s stats changes are sent at most once per interval; status changes are not', async () => {
    const r = await receiver();
    await subscribe(r.url, { events: ['job_progress'], progress_interval_ms: 86_400_000 });
    const jobId = await createJob();
    await setStatus(jobId, 'running');
    await setStatus(jobId, 'running', { pagesProcessed: 1 });
    await setStatus(jobId, 'running', { pagesProcessed: 2 });
    await setStatus(jobId, 'running', { pagesProcessed: 3 });
    await r.until((got) => events(got, jobId).length >= 1);
    await setStatus(jobId, 'completed');
    // A second subscriber to status changes proves the completion's event has been sent.
    const marker = await receiver();
    await subscribe(marker.url);
    const later = await createJob();
    await marker.until((got) => events(got, later).length === 1);
    expect(events(r.received, jobId).map((g) => [g.json.event, g.json.status, g.json.stats.pagesProcessed])).toEqual([['job_progress', 'running', 1]]);
    const [left] = await server.database.db.prisma.$queryRaw<Array<{ marks: number }>>`SELECT count(*)::int AS marks FROM webhook_progress_marks WHERE job_id = ${jobId}::uuid`;
    expect(left!.marks).toBe(0);
  });
});

describe('retries', () => {
  test('a receiver that is down (refused, then 503) and comes back gets every event, in order per job, with stable ids', async () => {
    const r = await receiver();
    const { id: webhookId, secret } = await subscribe(r.url);
    await r.stop(); // connection refused
    const jobs = [await createJob(), await createJob()];
    for (const job of jobs) await setStatus(job, 'running');
    for (const job of jobs) await setStatus(job, 'completed', { pagesProcessed: 3 });
    // Let the first attempts fail against the closed port.
    await waitFor(async () => (await deliveriesOf(webhookId)).some((d) => d.attempt_log.some((a: any) => a.status_code === null)));
    r.always = { status: 503 };
    await r.start();
    await r.until((got) => got.length >= 2);
    r.always = null;
    for (const job of jobs) await r.until((got) => new Set(events(got, job).filter((g) => g.json.new_status === 'completed').map((g) => g.headers['webhook-id'])).size === 1);
    await waitFor(async () => (await deliveriesOf(webhookId)).every((d) => d.status === 'succeeded'));

    const log = await deliveriesOf(webhookId);
    expect(log).toHaveLength(6);
    for (const job of jobs) {
      const mine = events(r.received, job).filter((g) => g.headers['webhook-signature'] && g.json);
      for (const request of mine) expect(verify(secret, request)).toEqual(request.json);
      // The accepted (last) copy of each event, in the order accepted: creation, running, completed.
      const ids = [...new Set(mine.map((g) => g.headers['webhook-id']))];
      expect(ids.map((id) => mine.find((g) => g.headers['webhook-id'] === id)!.json.new_status)).toEqual(['pending', 'running', 'completed']);
      // Every retry of an event carried the same id as its first attempt.
      const jobLog = log.filter((d) => d.job_id === job).reverse();
      expect(jobLog.map((d) => d.event_id)).toEqual(ids);
      // An event was never sent before the previous one of its job had been accepted.
      const firstSeen = ids.map((id) => mine.findIndex((g) => g.headers['webhook-id'] === id));
      const accepted = jobLog.map((d) => d.delivered_at);
      for (let i = 1; i < ids.length; i++) expect(mine[firstSeen[i]!]!.at).toBeGreaterThanOrEqual(Date.parse(accepted[i - 1]));
    }
    const failedAttempts = log.flatMap((d) => d.attempt_log).filter((a: any) => a.status_code !== 200);
    expect(failedAttempts.some((a: any) => a.status_code === null && a.error)).toBe(true);
    expect(failedAttempts.some((a: any) => a.status_code === 503 && a.response_snippet === 'answer 503')).toBe(true);
  });

  test('Retry-After on a 429 puts the next attempt at least that far out', async () => {
    const r = await receiver();
    const { id: webhookId } = await subscribe(r.url);
    r.answerNext({ status: 429, headers: { 'retry-after': '3' } });
    const jobId = await createJob();
    let delivery: any;
    await waitFor(async () => {
      delivery = (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId);
      return delivery?.attempts === 1 && delivery.status === 'pending';
    });
    expect(delivery.last_status_code).toBe(429);
    const attemptedAt = Date.parse(delivery.attempt_log[0].attempted_at);
    // The schedule says 100 ms; the receiver asked for 3 s.
    expect(Date.parse(delivery.next_attempt_at) - attemptedAt).toBeGreaterThanOrEqual(2_900);
    await r.until((got) => events(got, jobId).length === 2, 10_000);
    expect(r.received.at(-1)!.at - r.received.at(-2)!.at).toBeGreaterThanOrEqual(2_900);
  });

  test('after the last scheduled attempt a delivery fails; a redelivery sends it again with the same id', async () => {
    const r = await receiver();
    const { id: webhookId, secret } = await subscribe(r.url);
    r.always = { status: 500 };
    const jobId = await createJob();
    await waitFor(async () => (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId)?.status === 'failed');
    const failed = (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId);
    expect(failed.attempts).toBe(8);
    expect(failed.attempt_log.map((a: any) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(failed.last_status_code).toBe(500);
    expect(failed.next_attempt_at).toBeNull();

    r.always = null;
    const redelivered = await api(server.url, 'POST', `/api/webhooks/deliveries/${failed.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.data.status).toMatch(/pending|delivering|succeeded/);
    await waitFor(async () => (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId)?.status === 'succeeded');
    const last = r.received.at(-1)!;
    expect(last.headers['webhook-id']).toBe(failed.event_id);
    expect(verify(secret, last)).toMatchObject({ job_id: jobId, new_status: 'pending' });
    const done = (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId);
    expect(done.attempts).toBe(9);

    // A delivery that is still scheduled cannot be redelivered on top.
    r.always = 'hold';
    const heldJob = await createJob();
    await r.until((got) => events(got, heldJob).length === 1);
    const held = (await deliveriesOf(webhookId)).find((d) => d.job_id === heldJob);
    const twice = await api(server.url, 'POST', `/api/webhooks/deliveries/${held.id}/redeliver`);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe('Delivery is already scheduled');
    r.always = null;
    r.release();
  });
});

describe('signing secrets', () => {
  test('after a rotation both secrets verify until the previous one expires; the secret is shown only on create and rotate', async () => {
    const r = await receiver();
    const { id: webhookId, secret: first } = await subscribe(r.url);
    const fetched = await api(server.url, 'GET', `/api/webhooks/${webhookId}`);
    expect(fetched.body.data.secret).toBeUndefined();
    expect(JSON.stringify((await api(server.url, 'GET', '/api/webhooks')).body)).not.toContain(first);

    const rotated = await api(server.url, 'POST', `/api/webhooks/${webhookId}/rotate-secret`, { previous_secret_ttl_seconds: 3600 });
    expect(rotated.status).toBe(200);
    const second = rotated.body.data.secret as string;
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.body.data.previous_secret_expires_at)).toBeGreaterThan(Date.now());

    const ping = await api(server.url, 'POST', `/api/webhooks/${webhookId}/test`);
    expect(ping.status).toBe(202);
    await r.until((got) => got.some((g) => g.headers['webhook-id'] === ping.body.data.event_id));
    const during = r.received.find((g) => g.headers['webhook-id'] === ping.body.data.event_id)!;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(first, during)).toMatchObject({ event: 'ping', webhook_id: webhookId });
    expect(verify(second, during)).toMatchObject({ event: 'ping', webhook_id: webhookId });

    // Rotating with no grace period drops the previous secret at once.
    const third = (await api(server.url, 'POST', `/api/webhooks/${webhookId}/rotate-secret`, { previous_secret_ttl_seconds: 0 })).body.data.secret as string;
    const ping2 = await api(server.url, 'POST', `/api/webhooks/${webhookId}/test`);
    await r.until((got) => got.some((g) => g.headers['webhook-id'] === ping2.body.data.event_id));
    const after = r.received.find((g) => g.headers['webhook-id'] === ping2.body.data.event_id)!;
    expect(verify(third, after)).toMatchObject({ event: 'ping' });
    expect(() => verify(second, after)).toThrow();
    expect(() => verify(first, after)).toThrow();
  });
});

describe('outbound checks', () => {
  test('at delivery a host name that resolves to a private address is refused and nothing is sent', async () => {
    const r = await receiver();
    const send = createWebhookSender({ allowHosts: undefined, resolver: async () => ['127.0.0.1'] });
    const result = await send({ url: `http://hooks.example.test:${r.port}/hook`, headers: {}, body: '{}', timeoutMs: 2000, signal: new AbortController().signal });
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/127\.0\.0\.1 \(a loopback address\)/);
    const metadata = await createWebhookSender({ allowHosts: '0.0.0.0/0', resolver: async () => ['169.254.169.254'] })({
      url: 'http://meta.example.test/', headers: {}, body: '{}', timeoutMs: 2000, signal: new AbortController().signal,
    });
    expect(metadata.error).toMatch(/metadata/);
    expect(r.received).toEqual([]);
  });

  test('redirects are not followed: a 302 is an unsuccessful answer', async () => {
    const target = await receiver();
    const r = await receiver();
    const { id: webhookId } = await subscribe(r.url);
    r.answerNext({ status: 302, headers: { location: target.url } });
    const jobId = await createJob();
    await waitFor(async () => (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId)?.status === 'succeeded');
    const delivery = (await deliveriesOf(webhookId)).find((d) => d.job_id === jobId);
    expect(delivery.attempt_log.map((a: any) => a.status_code)).toEqual([302, 200]);
    expect(target.received).toEqual([]);
  });
});

async function waitFor(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('stopping the dispatcher', () => {
  test('an attempt still waiting on its receiver after the grace is cut off, recorded, and left for a later retry', async () => {
    const own = await startTestServer('pglite', {
      webhookAllowHosts: '127.0.0.1',
      webhookDispatch: { retrySchedule: [0, 100], pollIntervalMs: 50, timeoutMs: 30_000, shutdownGraceMs: 200 },
    });
    try {
      const r = await receiver();
      r.answerNext('hold');
      const created = await api(own.url, 'POST', '/api/webhooks', { url: r.url });
      const ping = await api(own.url, 'POST', `/api/webhooks/${created.body.data.id}/test`);
      await r.until((got) => got.length === 1);
      await own.dispatcher!.stop();
      const log = await api(own.url, 'GET', `/api/webhooks/${created.body.data.id}/deliveries`);
      const delivery = log.body.data.find((d: any) => d.id === ping.body.data.delivery_id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
      expect(delivery.attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: null, error: expect.stringMatching(/shutting down/) })]);
      r.release();
    } finally {
      await own.close();
    }
  });
});
