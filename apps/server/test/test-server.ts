import {
  createScrapeJobManager,
  createWebhookManager,
  startWebhookDispatcher,
  type ScrapeJobManager,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookManager,
} from '@scrape-jobs/api';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { createWebhookSender } from '../src/webhook-sender.ts';
import { createWebhookUrlPolicy } from '../src/webhook-url-policy.ts';

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  manager: ScrapeJobManager;
  webhooks: WebhookManager;
  /** Present when started with `webhookDispatch`. */
  dispatcher: WebhookDispatcher | undefined;
  database: TestDatabase;
  close(): Promise<void>;
}

/** A real Fastify server on a random loopback port, on a fresh migrated database. */
export async function startTestServer(
  kind: DatabaseKind,
  options: {
    clock?: () => Date;
    claimTimeoutMs?: number;
    bodyLimit?: number;
    random?: () => number;
    /** WEBHOOK_ALLOW_HOSTS for URL checks and delivery. */
    webhookAllowHosts?: string;
    /** Runs a webhook dispatcher with these options (the real sender). */
    webhookDispatch?: Omit<WebhookDispatcherOptions, 'db' | 'send'>;
  } = {},
): Promise<TestServer> {
  const { webhookAllowHosts, webhookDispatch, ...managerOptions } = options;
  const database = await createTestDatabase(kind);
  const manager = createScrapeJobManager({ db: database.db, ...managerOptions });
  let dispatcher: WebhookDispatcher | undefined;
  const webhooks = createWebhookManager({ db: database.db, checkUrl: createWebhookUrlPolicy(webhookAllowHosts), onQueued: () => dispatcher?.wake() });
  if (webhookDispatch) {
    dispatcher = startWebhookDispatcher({ db: database.db, send: createWebhookSender({ allowHosts: webhookAllowHosts }), ...webhookDispatch });
  }
  const app = await buildApp({ db: database.db, manager, webhooks, bodyLimit: options.bodyLimit ?? 1024 * 1024, logLevel: 'silent' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    manager,
    webhooks,
    dispatcher,
    database,
    close: async () => {
      await app.close();
      await dispatcher?.stop();
      await database.destroy();
    },
  };
}

/** fetch + JSON, returning status and parsed body. */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + path, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Every table's rows, to prove a rejected request changed nothing. */
export async function snapshot(server: TestServer): Promise<unknown> {
  const prisma = server.database.db.prisma;
  const jobs = await prisma.$queryRaw`SELECT * FROM scrape_jobs ORDER BY id`;
  const history = await prisma.$queryRaw`SELECT id, job_id, from_status, to_status, actor, reason, at FROM job_history ORDER BY id`;
  return JSON.parse(JSON.stringify({ jobs, history }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
}
