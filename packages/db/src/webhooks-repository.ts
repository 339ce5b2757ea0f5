import type { WebhookDeliveryStatus, WebhookEventType } from '@scrape-jobs/domain';
import { AUDIT_COLUMNS } from './audit-events-repository.ts';
import type { Prisma } from './open-database.ts';
import { empty, join, jsonb, raw, sql, type AuditActor, type Sql } from './sql.ts';

/**
 * The webhook tables' SQL: endpoints (management), the outbox's deliveries (the
 * dispatcher's lease-based claim and its fenced outcome), and the delivery log. The events
 * themselves are written by the `scrape_jobs_webhook_outbox_*` triggers; only pings are
 * inserted here. Times are the database's `now()`, one clock for every server process.
 */

export interface WebhookEndpointRow {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  active: boolean;
  tenant_id: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  progress_interval_ms: number;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookAttemptRow {
  attempt: number;
  attempted_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_snippet: string | null;
}

export interface WebhookDeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  job_id: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
  payload: unknown;
  attempt_log: WebhookAttemptRow[];
}

/** A delivery a dispatcher holds the lease of, with all it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  lease_token: string;
  event_id: string;
  /** This attempt's number in the log (1 for the first). */
  attempt: number;
  /** Attempts since the last manual redelivery, this one included: the backoff's index. */
  round_attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  payload: unknown;
}

export interface EndpointFields {
  url?: string | undefined;
  description?: string | undefined;
  events?: readonly string[] | undefined;
  active?: boolean | undefined;
  tenant_id?: string | null | undefined;
  progress_interval_ms?: number | undefined;
}

const textArray = (values: readonly string[]): Sql => sql`ARRAY(SELECT jsonb_array_elements_text(${jsonb(values)}))::text[]`;

/**
 * What the audit trail shows of an endpoint row (`alias`, one of this file's constants): its
 * settings, never its secrets. `job_audit_changes` diffs two of these images into
 * `{ "<field>": { "old": …, "new": … } }`, the same shape as a job's history.
 */
const auditImage = (alias: string): Sql => {
  const row = raw(alias);
  return sql`jsonb_build_object('url', ${row}.url, 'description', ${row}.description, 'events', to_jsonb(${row}.events), 'active', ${row}.active,
    'tenant_id', ${row}.tenant_id, 'progress_interval_ms', ${row}.progress_interval_ms)`;
};

/**
 * `INSERT INTO audit_events` of one `webhook.<verb>` row per endpoint in `changedRows` (a CTE or
 * a join of CTEs), for a change statement's `WITH`: the change and its audit row are written
 * together or not at all. The endpoint's tenant is the event's, so a tenant's admin sees it.
 */
function auditInsert(verb: string, by: AuditActor, changedRows: Sql, changes: Sql, tenant: Sql, id: Sql): Sql {
  return sql`
    INSERT INTO audit_events ${AUDIT_COLUMNS}
    SELECT now(), ${by.actor}, ${by.keyId}::uuid, ${by.requestId}, ${`webhook.${verb}`}, 'webhook', ${id}::text, ${changes}, ${tenant}
    FROM ${changedRows}`;
}

/** Stores a new endpoint and its `webhook.created` audit event in one statement. */
export async function insertWebhookEndpoint(
  prisma: Prisma,
  endpoint: Required<Omit<EndpointFields, 'tenant_id'>> & { tenant_id: string | null; secret: string },
  by: AuditActor,
): Promise<WebhookEndpointRow> {
  const [row] = await prisma.$queryRaw<WebhookEndpointRow[]>`
    WITH created AS (
      INSERT INTO webhook_endpoints (url, description, events, active, tenant_id, secret, progress_interval_ms)
      VALUES (${endpoint.url}, ${endpoint.description}, ${textArray(endpoint.events)}, ${endpoint.active},
              ${endpoint.tenant_id}::uuid, ${endpoint.secret}, ${endpoint.progress_interval_ms})
      RETURNING *
    ), audit AS (${auditInsert('created', by, sql`created`, sql`job_audit_changes(NULL, ${auditImage('created')})`, sql`created.tenant_id`, sql`created.id`)})
    SELECT * FROM created`;
  return row!;
}

/** `tenantId` null: any endpoint; else only one of that tenant. */
export async function findWebhookEndpoint(prisma: Prisma, id: string, tenantId: string | null): Promise<WebhookEndpointRow | null> {
  const rows = await prisma.$queryRaw<WebhookEndpointRow[]>`
    SELECT * FROM webhook_endpoints WHERE id = ${id}::uuid ${tenantId === null ? empty : sql`AND tenant_id = ${tenantId}::uuid`}`;
  return rows[0] ?? null;
}

export function listWebhookEndpoints(prisma: Prisma, tenantId: string | null): Promise<WebhookEndpointRow[]> {
  return prisma.$queryRaw<WebhookEndpointRow[]>`
    SELECT * FROM webhook_endpoints ${tenantId === null ? empty : sql`WHERE tenant_id = ${tenantId}::uuid`} ORDER BY created_at, id`;
}

/**
 * Applies `fields` and records `webhook.updated` with each changed field's old and new value,
 * in one statement; an update that changes no field records nothing. Null when the endpoint
 * is absent (or another tenant's).
 */
export async function updateWebhookEndpoint(
  prisma: Prisma,
  id: string,
  tenantId: string | null,
  fields: EndpointFields,
  by: AuditActor,
): Promise<WebhookEndpointRow | null> {
  const sets: Sql[] = [sql`updated_at = now()`];
  if (fields.url !== undefined) sets.push(sql`url = ${fields.url}`);
  if (fields.description !== undefined) sets.push(sql`description = ${fields.description}`);
  if (fields.events !== undefined) sets.push(sql`events = ${textArray(fields.events)}`);
  if (fields.active !== undefined) sets.push(sql`active = ${fields.active}`);
  if (fields.tenant_id !== undefined) sets.push(sql`tenant_id = ${fields.tenant_id}::uuid`);
  if (fields.progress_interval_ms !== undefined) sets.push(sql`progress_interval_ms = ${fields.progress_interval_ms}`);
  const changes = sql`job_audit_changes(${auditImage('before')}, ${auditImage('changed')})`;
  const rows = await prisma.$queryRaw<WebhookEndpointRow[]>`
    WITH before AS (
      SELECT * FROM webhook_endpoints
      WHERE id = ${id}::uuid ${tenantId === null ? empty : sql`AND tenant_id = ${tenantId}::uuid`}
      FOR UPDATE
    ), changed AS (
      UPDATE webhook_endpoints SET ${join(sets, ', ')} WHERE id IN (SELECT id FROM before) RETURNING *
    ), audit AS (
      ${auditInsert('updated', by, sql`changed JOIN before ON before.id = changed.id`, changes, sql`changed.tenant_id`, sql`changed.id`)}
      WHERE ${changes} <> '{}'::jsonb
    )
    SELECT * FROM changed`;
  return rows[0] ?? null;
}

/** Removes the endpoint (its deliveries and log go with it) and records `webhook.deleted`, in one statement. */
export async function deleteWebhookEndpoint(prisma: Prisma, id: string, tenantId: string | null, by: AuditActor): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH removed AS (
      DELETE FROM webhook_endpoints WHERE id = ${id}::uuid ${tenantId === null ? empty : sql`AND tenant_id = ${tenantId}::uuid`}
      RETURNING *
    ), audit AS (${auditInsert('deleted', by, sql`removed`, sql`job_audit_changes(${auditImage('removed')}, NULL)`, sql`removed.tenant_id`, sql`removed.id`)})
    SELECT id::text AS id FROM removed`;
  return rows.length > 0;
}

/**
 * A new current secret; the old one becomes the previous until `previousTtlSeconds` from now
 * (0: dropped). Records `webhook.secret_rotated` in the same statement, with until when the
 * old secret still signs (the secrets themselves never).
 */
export async function rotateWebhookSecret(
  prisma: Prisma,
  args: { id: string; tenantId: string | null; secret: string; previousTtlSeconds: number },
  by: AuditActor,
): Promise<WebhookEndpointRow | null> {
  const keep = args.previousTtlSeconds > 0;
  const expiry = (alias: string) => sql`job_audit_value('previous_secret_expires_at', to_jsonb(${raw(alias)}.previous_secret_expires_at))`;
  const changes = sql`jsonb_build_object('previous_secret_expires_at', jsonb_build_object('old', ${expiry('before')}, 'new', ${expiry('changed')}))`;
  const rows = await prisma.$queryRaw<WebhookEndpointRow[]>`
    WITH before AS (
      SELECT * FROM webhook_endpoints
      WHERE id = ${args.id}::uuid ${args.tenantId === null ? empty : sql`AND tenant_id = ${args.tenantId}::uuid`}
      FOR UPDATE
    ), changed AS (
      UPDATE webhook_endpoints SET
        previous_secret = ${keep ? sql`secret` : sql`NULL`},
        previous_secret_expires_at = ${keep ? sql`now() + make_interval(secs => ${args.previousTtlSeconds})` : sql`NULL`},
        secret = ${args.secret},
        updated_at = now()
      WHERE id IN (SELECT id FROM before)
      RETURNING *
    ), audit AS (${auditInsert('secret_rotated', by, sql`changed JOIN before ON before.id = changed.id`, changes, sql`changed.tenant_id`, sql`changed.id`)})
    SELECT * FROM changed`;
  return rows[0] ?? null;
}

/** Queues a `ping` to one endpoint through the same outbox and dispatcher as job events. */
export async function queueWebhookPing(prisma: Prisma, endpointId: string): Promise<{ event_id: string; delivery_id: string }> {
  const [row] = await prisma.$queryRaw<Array<{ event_id: string; delivery_id: string }>>`
    WITH event AS (
      INSERT INTO webhook_events (id, type, payload)
      SELECT e.id, 'ping', jsonb_build_object('event', 'ping', 'webhook_id', ${endpointId}::uuid,
             'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM (SELECT webhook_event_id() AS id) e
      RETURNING id
    ), delivery AS (
      INSERT INTO webhook_deliveries (event_id, endpoint_id) SELECT id, ${endpointId}::uuid FROM event RETURNING id
    )
    SELECT (SELECT id FROM event) AS event_id, (SELECT id::text FROM delivery) AS delivery_id`;
  return row!;
}

const DELIVERY_COLUMNS = sql`
  d.id::text AS id, d.event_id, ev.type AS event_type, d.endpoint_id, d.job_id, d.status, d.attempts, d.next_attempt_at,
  d.last_status_code, d.last_error, d.delivered_at, d.created_at, d.updated_at, ev.payload,
  COALESCE((SELECT jsonb_agg(jsonb_build_object(
      'attempt', a.attempt,
      'attempted_at', to_char(a.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'duration_ms', a.duration_ms, 'status_code', a.status_code, 'error', a.error, 'response_snippet', a.response_snippet)
    ORDER BY a.id) FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS attempt_log`;

/** One endpoint's deliveries, newest first, each with its attempts. */
export async function listWebhookDeliveries(
  prisma: Prisma,
  args: { endpointId: string; status?: WebhookDeliveryStatus | undefined; limit: number; offset: number },
): Promise<{ deliveries: WebhookDeliveryRow[]; total: number }> {
  const filter = sql`d.endpoint_id = ${args.endpointId}::uuid ${args.status ? sql`AND d.status = ${args.status}::webhook_delivery_status` : empty}`;
  const deliveries = await prisma.$queryRaw<WebhookDeliveryRow[]>`
    SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
    WHERE ${filter} ORDER BY d.id DESC LIMIT ${args.limit} OFFSET ${args.offset}`;
  const [count] = await prisma.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM webhook_deliveries d WHERE ${filter}`;
  return { deliveries, total: count?.total ?? 0 };
}

/** A delivery with its endpoint's tenant, for the visibility check. */
export async function findWebhookDelivery(prisma: Prisma, id: string): Promise<(WebhookDeliveryRow & { tenant_id: string | null }) | null> {
  const rows = await prisma.$queryRaw<Array<WebhookDeliveryRow & { tenant_id: string | null }>>`
    SELECT ${DELIVERY_COLUMNS}, en.tenant_id FROM webhook_deliveries d
    JOIN webhook_events ev ON ev.id = d.event_id JOIN webhook_endpoints en ON en.id = d.endpoint_id
    WHERE d.id = ${id}::bigint`;
  return rows[0] ?? null;
}

/**
 * Sends a finished (succeeded or failed) delivery again, with a fresh retry schedule and the
 * same `webhook-id`. Null when it is still pending or being delivered.
 */
export async function redeliverWebhook(prisma: Prisma, id: string): Promise<boolean> {
  const count = await prisma.$executeRaw`
    UPDATE webhook_deliveries SET status = 'pending', round_attempts = 0, next_attempt_at = now(), updated_at = now()
    WHERE id = ${id}::bigint AND status IN ('succeeded', 'failed')`;
  return count > 0;
}

/**
 * Leases up to `limit` due deliveries: pending ones whose time has come and delivering ones
 * whose lease expired (their dispatcher died), skipping rows another dispatcher is claiming
 * right now and any delivery that has an earlier open one of the same job to the same
 * endpoint, so each job's events reach each endpoint in order.
 */
export async function claimDueWebhookDeliveries(prisma: Prisma, args: { leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
  return prisma.$queryRaw<ClaimedDelivery[]>`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d
      WHERE ((d.status = 'pending' AND d.next_attempt_at <= now()) OR (d.status = 'delivering' AND d.locked_until <= now()))
        AND (d.job_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM webhook_deliveries earlier
          WHERE earlier.endpoint_id = d.endpoint_id AND earlier.job_id = d.job_id AND earlier.id < d.id
            AND earlier.status IN ('pending', 'delivering')))
      ORDER BY d.next_attempt_at, d.id
      LIMIT ${args.limit}
      FOR UPDATE OF d SKIP LOCKED
    ), leased AS (
      UPDATE webhook_deliveries d SET
        status = 'delivering', lease_token = gen_random_uuid(),
        locked_until = now() + make_interval(secs => ${args.leaseMs} / 1000.0),
        attempts = d.attempts + 1, round_attempts = d.round_attempts + 1, updated_at = now()
      FROM due WHERE d.id = due.id
      RETURNING d.*
    )
    SELECT l.id::text AS id, l.lease_token::text AS lease_token, l.event_id, l.attempts AS attempt, l.round_attempts,
           en.url, en.secret,
           CASE WHEN en.previous_secret_expires_at > now() THEN en.previous_secret END AS previous_secret,
           ev.payload
    FROM leased l JOIN webhook_endpoints en ON en.id = l.endpoint_id JOIN webhook_events ev ON ev.id = l.event_id
    ORDER BY l.id`;
}

/** What one attempt came to, and what happens next. */
export interface DeliveryOutcome {
  id: string;
  leaseToken: string;
  attempt: number;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseSnippet: string | null;
  /** succeeded; retry after `retryInMs`; or failed for good. */
  next: { kind: 'succeeded' } | { kind: 'retry'; retryInMs: number } | { kind: 'failed' };
}

/**
 * Records an attempt and moves the delivery on, fenced by the lease token: a dispatcher whose
 * lease expired and was taken over writes nothing (returns false).
 */
export async function finishWebhookDelivery(prisma: Prisma, outcome: DeliveryOutcome): Promise<boolean> {
  const { next } = outcome;
  const status = next.kind === 'retry' ? 'pending' : next.kind;
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH finished AS (
      UPDATE webhook_deliveries SET
        status = ${status}::webhook_delivery_status, lease_token = NULL, locked_until = NULL,
        next_attempt_at = ${next.kind === 'retry' ? sql`now() + make_interval(secs => ${next.retryInMs} / 1000.0)` : sql`next_attempt_at`},
        last_status_code = ${outcome.statusCode}::int, last_error = ${outcome.error},
        delivered_at = ${next.kind === 'succeeded' ? sql`now()` : sql`delivered_at`}, updated_at = now()
      WHERE id = ${outcome.id}::bigint AND status = 'delivering' AND lease_token = ${outcome.leaseToken}::uuid
      RETURNING id
    ), logged AS (
      INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, duration_ms, status_code, error, response_snippet)
      SELECT id, ${outcome.attempt}, ${outcome.attemptedAt.toISOString()}::timestamptz, ${outcome.durationMs},
             ${outcome.statusCode}::int, ${outcome.error}, ${outcome.responseSnippet}
      FROM finished
    )
    SELECT id::text AS id FROM finished`;
  return rows.length > 0;
}
