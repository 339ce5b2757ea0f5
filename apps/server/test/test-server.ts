import {
  createAccessService,
  createScrapeJobManager,
  createWebhookManager,
  OPEN_CALLER,
  startWebhookDispatcher,
  type AccessService,
  type AuthMode,
  type ScrapeJobManager,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookManager,
} from '@scrape-jobs/api';
import type { Role } from '@scrape-jobs/domain';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '@scrape-jobs/db/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/app.ts';
import { createWebhookSender } from '../src/webhook-sender.ts';
import { createWebhookUrlPolicy } from '../src/webhook-url-policy.ts';

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  manager: ScrapeJobManager;
  access: AccessService;
  webhooks: WebhookManager;
  /** Present when started with `webhookDispatch`. */
  dispatcher: WebhookDispatcher | undefined;
  /** Every route the app serves (`HEAD` ones included), as Fastify registered them. */
  routes: Array<{ method: string; url: string }>;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * A real Fastify server on a random loopback port, on a fresh migrated database. Rate limits
 * are off unless `rateLimits` asks for them: every test here talks from one address, and a
 * suite that creates hundreds of jobs is not a runaway client.
 */
export async function startTestServer(
  kind: DatabaseKind,
  options: {
    clock?: () => Date;
    claimTimeoutMs?: number;
    bodyLimit?: number;
    random?: () => number;
    authMode?: AuthMode;
    rateLimits?: AppOptions['rateLimits'];
    corsOrigins?: AppOptions['corsOrigins'];
    dashboardDir?: AppOptions['dashboardDir'];
    /** WEBHOOK_ALLOW_HOSTS for URL checks and delivery. */
    webhookAllowHosts?: string;
    /** Runs a webhook dispatcher with these options (the real sender). */
    webhookDispatch?: Omit<WebhookDispatcherOptions, 'db' | 'send'>;
    /** Default `silent`. */
    logLevel?: string;
    logStream?: AppOptions['logStream'];
  } = {},
): Promise<TestServer> {
  const database = await createTestDatabase(kind);
  const { authMode = 'open', bodyLimit = 1024 * 1024, rateLimits, corsOrigins, dashboardDir, webhookAllowHosts, webhookDispatch, logLevel = 'silent', logStream, ...managerOptions } =
    options;
  const manager = createScrapeJobManager({ db: database.db, ...managerOptions });
  const access = createAccessService({ db: database.db, ...(options.clock ? { clock: options.clock } : {}) });
  let dispatcher: WebhookDispatcher | undefined;
  const webhooks = createWebhookManager({ db: database.db, checkUrl: createWebhookUrlPolicy(webhookAllowHosts), onQueued: () => dispatcher?.wake() });
  if (webhookDispatch) {
    dispatcher = startWebhookDispatcher({ db: database.db, send: createWebhookSender({ allowHosts: webhookAllowHosts }), ...webhookDispatch });
  }
  const routes: TestServer['routes'] = [];
  const onRoute: AppOptions['onRoute'] = (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  };
  const app = await buildApp({ db: database.db, manager, access, webhooks, bodyLimit, logLevel, logStream, authMode, rateLimits, corsOrigins, dashboardDir, onRoute });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    manager,
    access,
    webhooks,
    dispatcher,
    routes,
    database,
    close: async () => {
      await app.close();
      await dispatcher?.stop();
      await database.destroy();
    },
  };
}

/** A new API key (as an admin of every tenant would make it); returns its id and secret. */
export async function createKey(server: TestServer, role: Role, tenantId: string | null = null, name = `${role} key`): Promise<{ id: string; key: string }> {
  const created = await server.access.createKey({ name, role, tenant_id: tenantId }, OPEN_CALLER);
  return { id: created.id, key: created.key };
}

/** The Authorization header for a key. */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

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
  const history = await prisma.$queryRaw`SELECT id, job_id, action, from_status, to_status, actor, key_id, request_id, reason, changes, at FROM job_history ORDER BY id`;
  const pages = await prisma.$queryRaw`SELECT * FROM page_results ORDER BY id`;
  // last_used_at is bookkeeping of any authenticated request, refused or not.
  const keys = await prisma.$queryRaw`SELECT id, name, role, tenant_id, key_hash, created_at, revoked_at FROM api_keys ORDER BY id`;
  const audit = await prisma.$queryRaw`SELECT * FROM audit_events ORDER BY id`;
  const webhooks = {
    endpoints: await prisma.$queryRaw`SELECT * FROM webhook_endpoints ORDER BY id`,
    events: await prisma.$queryRaw`SELECT * FROM webhook_events ORDER BY id`,
    deliveries: await prisma.$queryRaw`SELECT * FROM webhook_deliveries ORDER BY id`,
    attempts: await prisma.$queryRaw`SELECT * FROM webhook_attempts ORDER BY id`,
    progressMarks: await prisma.$queryRaw`SELECT * FROM webhook_progress_marks ORDER BY job_id, endpoint_id`,
  };
  return JSON.parse(JSON.stringify({ jobs, history, pages, keys, audit, webhooks }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
}
