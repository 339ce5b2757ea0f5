import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from './test-server.ts';
for (const kind of ['pglite', 'postgres'] as const) {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(kind); });
  afterAll(async () => { await server?.close(); });
  test(`smoke ${kind}`, async () => {
    const r = await api(server.url, 'POST', '/api/scrape-jobs', { domain: 'a.com' });
    expect(r.status).toBe(201);
  });
}
