import {
  DomainError,
  type CreateWebhookInput,
  type ListWebhookDeliveries,
  type UpdateWebhookFields,
} from '@scrape-jobs/domain';
import * as repo from '@scrape-jobs/db';
import type { AuditActor, Database, WebhookDeliveryRow, WebhookEndpointRow } from '@scrape-jobs/db';
import type { Caller } from '../caller.ts';
import { generateWebhookSecret } from './signing.ts';

export interface WebhookManagerOptions {
  db: Database;
  /** Refuses a webhook URL the server may not send to (a private address); the sentence, or null. */
  checkUrl?: (url: string) => string | null;
  /** Called after a ping or redelivery is queued, so the local dispatcher sends it at once. */
  onQueued?: () => void;
}

/** An endpoint as callers see it: never its secrets (those are shown on create and rotate only). */
export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  tenant_id: string | null;
  progress_interval_ms: number;
  /** Until when the rotated-out secret still signs; null when only one secret signs. */
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryView {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  job_id: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
  payload: unknown;
  attempt_log: repo.WebhookAttemptRow[];
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function endpointView(row: WebhookEndpointRow): WebhookEndpointView {
  const previousLive = row.previous_secret_expires_at !== null && new Date(row.previous_secret_expires_at).getTime() > Date.now();
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    active: row.active,
    tenant_id: row.tenant_id,
    progress_interval_ms: row.progress_interval_ms,
    previous_secret_expires_at: previousLive ? iso(row.previous_secret_expires_at) : null,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

function deliveryView(row: WebhookDeliveryRow): WebhookDeliveryView {
  const open = row.status === 'pending' || row.status === 'delivering';
  return {
    id: row.id,
    webhook_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    job_id: row.job_id,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: open ? iso(row.next_attempt_at) : null,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    delivered_at: iso(row.delivered_at),
    created_at: iso(row.created_at)!,
    payload: row.payload,
    attempt_log: row.attempt_log,
  };
}

const notFound = () => new DomainError('NOT_FOUND', 'Webhook not found');

/**
 * Webhook subscriptions and their delivery log, for REST and tRPC alike. The roles
 * (`webhooks:read`, `webhooks:manage`) are checked by the transports, as for jobs; here a
 * tenant-bound principal sees and manages only its tenant's endpoints (others answer 404)
 * and creates endpoints bound to its tenant.
 */
export function createWebhookManager(options: WebhookManagerOptions) {
  const prisma = options.db.prisma;
  const checkUrl = options.checkUrl ?? (() => null);
  const onQueued = options.onQueued ?? (() => {});

  const tenantOf = (caller: Caller) => caller.principal.tenantId;
  /** Who the audit trail names for an endpoint change (written in the change's own statement). */
  const auditBy = (caller: Caller): AuditActor => ({ actor: caller.actor, keyId: caller.principal.keyId, requestId: caller.requestId });

  function assertUrlAllowed(url: string): void {
    const refusal = checkUrl(url);
    if (refusal) throw new DomainError('VALIDATION', refusal, { url });
  }

  /** A tenant-bound caller cannot move an endpoint to another tenant (or to all tenants). */
  function assertTenantAllowed(caller: Caller, tenantId: string | null | undefined): void {
    const own = tenantOf(caller);
    if (own !== null && tenantId !== undefined && tenantId !== own) {
      throw new DomainError('FORBIDDEN', 'Forbidden: a tenant key can only manage webhooks of its own tenant', { tenant_id: own });
    }
  }

  async function requireEndpoint(id: string, caller: Caller): Promise<WebhookEndpointRow> {
    const row = await repo.findWebhookEndpoint(prisma, id, tenantOf(caller));
    if (!row) throw notFound();
    return row;
  }

  return {
    async list(caller: Caller): Promise<WebhookEndpointView[]> {
      return (await repo.listWebhookEndpoints(prisma, tenantOf(caller))).map(endpointView);
    },

    async get(id: string, caller: Caller): Promise<WebhookEndpointView> {
      return endpointView(await requireEndpoint(id, caller));
    },

    /** The new endpoint and its signing secret, which is shown only here and on rotation. */
    async create(input: CreateWebhookInput, caller: Caller): Promise<WebhookEndpointView & { secret: string }> {
      assertTenantAllowed(caller, input.tenant_id);
      assertUrlAllowed(input.url);
      const secret = generateWebhookSecret();
      const row = await repo.insertWebhookEndpoint(
        prisma,
        {
          url: input.url,
          description: input.description,
          events: input.events,
          active: input.active,
          tenant_id: tenantOf(caller) ?? input.tenant_id ?? null,
          progress_interval_ms: input.progress_interval_ms,
          secret,
        },
        auditBy(caller),
      );
      return { ...endpointView(row), secret };
    },

    async update(id: string, fields: UpdateWebhookFields, caller: Caller): Promise<WebhookEndpointView> {
      await requireEndpoint(id, caller);
      assertTenantAllowed(caller, fields.tenant_id);
      if (fields.url !== undefined) assertUrlAllowed(fields.url);
      const row = await repo.updateWebhookEndpoint(prisma, id, tenantOf(caller), fields, auditBy(caller));
      if (!row) throw notFound();
      return endpointView(row);
    },

    /** Removes the endpoint with its deliveries and their log. */
    async remove(id: string, caller: Caller): Promise<{ id: string; deleted: true }> {
      if (!(await repo.deleteWebhookEndpoint(prisma, id, tenantOf(caller), auditBy(caller)))) throw notFound();
      return { id, deleted: true };
    },

    async rotateSecret(id: string, previousTtlSeconds: number, caller: Caller): Promise<WebhookEndpointView & { secret: string }> {
      const secret = generateWebhookSecret();
      const row = await repo.rotateWebhookSecret(prisma, { id, tenantId: tenantOf(caller), secret, previousTtlSeconds }, auditBy(caller));
      if (!row) throw notFound();
      return { ...endpointView(row), secret };
    },

    /** Queues a signed `ping` to the endpoint (even an inactive one) through the normal pipeline. */
    async test(id: string, caller: Caller): Promise<{ event_id: string; delivery_id: string }> {
      await requireEndpoint(id, caller);
      const queued = await repo.queueWebhookPing(prisma, id);
      onQueued();
      return queued;
    },

    async deliveries(input: ListWebhookDeliveries, caller: Caller) {
      await requireEndpoint(input.id, caller);
      const { deliveries, total } = await repo.listWebhookDeliveries(prisma, {
        endpointId: input.id,
        status: input.status,
        limit: input.limit,
        offset: input.offset,
      });
      return {
        deliveries: deliveries.map(deliveryView),
        pagination: { offset: input.offset, limit: input.limit, total, has_more: input.offset + deliveries.length < total },
      };
    },

    /** Sends a finished delivery again (same `webhook-id`, fresh retry schedule). */
    async redeliver(deliveryId: string, caller: Caller): Promise<WebhookDeliveryView> {
      const found = await repo.findWebhookDelivery(prisma, deliveryId);
      const own = tenantOf(caller);
      if (!found || (own !== null && found.tenant_id !== own)) throw new DomainError('NOT_FOUND', 'Delivery not found');
      if (!(await repo.redeliverWebhook(prisma, deliveryId))) {
        throw new DomainError('CONFLICT', 'Delivery is already scheduled', { status: found.status });
      }
      onQueued();
      return deliveryView((await repo.findWebhookDelivery(prisma, deliveryId))!);
    },
  };
}

export type WebhookManager = ReturnType<typeof createWebhookManager>;
