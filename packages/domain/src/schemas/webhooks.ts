import { z } from 'zod';

/**
 * Webhooks: what a subscriber can ask for, and the shapes of the management inputs.
 * - `job_status_changed`: every status change of a job, and its creation (old_status null),
 *   with the user's payload `{ event, job_id, domain, old_status, new_status, stats, timestamp }`.
 * - `job_progress`: a running job's stats changed; at most once per endpoint's
 *   `progress_interval_ms` per job.
 * A `ping` (the test event) is sent on request only and needs no subscription.
 */
export const WEBHOOK_EVENT_TYPES = ['job_status_changed', 'job_progress'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * A delivery (one event to one endpoint): `pending` waits for its next attempt (and for
 * earlier deliveries of the same job to the same endpoint); `delivering` is leased by one
 * dispatcher; `succeeded` got a 2xx; `failed` ran out of retries (a redelivery makes it
 * pending again).
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MIN_PROGRESS_INTERVAL_MS = 1000;
export const DEFAULT_PROGRESS_INTERVAL_MS = 30_000;
/** How long the previous secret keeps signing after a rotation, unless said otherwise. */
export const DEFAULT_PREVIOUS_SECRET_TTL_SECONDS = 86_400;

const unknownKeys = (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' ? `Unknown field: ${(issue.keys ?? []).join(', ')}` : 'Request body must be a JSON object';

export const webhookIdSchema = z
  .string({ error: 'Webhook id is required' })
  .regex(UUID, { error: 'Invalid webhook id: must be a UUID' })
  .transform((id) => id.toLowerCase());

/** A delivery's id: a positive integer, as a number or a string of digits. */
export const webhookDeliveryIdSchema = z
  .union([z.number(), z.string()], { error: 'Invalid delivery id: must be a positive integer' })
  .transform((value, ctx) => {
    const text = String(value).trim();
    if (!/^[1-9]\d{0,17}$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'Invalid delivery id: must be a positive integer' });
      return z.NEVER;
    }
    return text;
  });

/**
 * Where deliveries go: an absolute http(s) URL without credentials. Whether its host may be
 * reached (private and loopback addresses are refused unless allowed) is the server's
 * outbound policy, checked at creation and again at every delivery.
 */
export const webhookUrlSchema = z
  .string({ error: 'url is required' })
  .trim()
  .max(2000, { error: 'url must be at most 2000 characters' })
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `Invalid url: ${JSON.stringify(value.slice(0, 100))} is not an absolute URL` });
      return z.NEVER;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `Invalid url: the scheme must be http or https, not ${url.protocol.replace(/:$/, '')}` });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'Invalid url: credentials in the URL are not allowed' });
      return z.NEVER;
    }
    url.hash = '';
    return url.href;
  });

const eventsSchema = z
  .array(
    z.enum(WEBHOOK_EVENT_TYPES, {
      error: (issue) => `Invalid event: ${JSON.stringify(issue.input)} (expected one of ${WEBHOOK_EVENT_TYPES.join(', ')})`,
    }),
    { error: `events must be a list of ${WEBHOOK_EVENT_TYPES.join(', ')}` },
  )
  .min(1, { error: 'events must name at least one event' })
  .transform((events) => [...new Set(events)]);

const descriptionSchema = z.string({ error: 'description must be a string' }).trim().max(500, { error: 'description must be at most 500 characters' });
const activeSchema = z.boolean({ error: 'active must be true or false' });
const tenantSchema = z
  .string({ error: 'tenant_id must be a UUID' })
  .regex(UUID, { error: 'tenant_id must be a UUID' })
  .transform((v) => v.toLowerCase())
  .nullable();
const progressIntervalSchema = z
  .number({ error: 'progress_interval_ms must be a number' })
  .int({ error: 'progress_interval_ms must be an integer' })
  .min(MIN_PROGRESS_INTERVAL_MS, { error: `progress_interval_ms must be between ${MIN_PROGRESS_INTERVAL_MS} and 86400000` })
  .max(86_400_000, { error: `progress_interval_ms must be between ${MIN_PROGRESS_INTERVAL_MS} and 86400000` });

/** POST /api/webhooks, `webhooks.create`. A tenant-bound caller's endpoint is bound to its tenant. */
export const createWebhookInputSchema = z.strictObject(
  {
    url: webhookUrlSchema,
    events: eventsSchema.default(['job_status_changed']),
    description: descriptionSchema.default(''),
    active: activeSchema.default(true),
    tenant_id: tenantSchema.optional(),
    progress_interval_ms: progressIntervalSchema.default(DEFAULT_PROGRESS_INTERVAL_MS),
  },
  { error: unknownKeys },
);
export type CreateWebhookInput = z.output<typeof createWebhookInputSchema>;

/** PATCH /api/webhooks/:id (the fields to change), `webhooks.update` ({ id, ...fields }). */
export const updateWebhookFieldsSchema = z
  .strictObject(
    {
      url: webhookUrlSchema.optional(),
      events: eventsSchema.optional(),
      description: descriptionSchema.optional(),
      active: activeSchema.optional(),
      tenant_id: tenantSchema.optional(),
      progress_interval_ms: progressIntervalSchema.optional(),
    },
    { error: unknownKeys },
  )
  .refine((fields) => Object.values(fields).some((v) => v !== undefined), { error: 'Nothing to update: give at least one field' });
export type UpdateWebhookFields = z.output<typeof updateWebhookFieldsSchema>;

export const updateWebhookInputSchema = z
  .object({ id: webhookIdSchema }, { error: 'Request body must be a JSON object' })
  .passthrough()
  .transform((input, ctx) => {
    const { id, ...rest } = input as { id: string } & Record<string, unknown>;
    const fields = updateWebhookFieldsSchema.safeParse(rest);
    if (!fields.success) {
      for (const issue of fields.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return { id, ...fields.data };
  });

export const webhookIdInputSchema = z.strictObject({ id: webhookIdSchema }, { error: unknownKeys });

/** `/:id/rotate-secret`: a new secret; the previous one keeps signing for `previous_secret_ttl_seconds`. */
export const rotateWebhookSecretFieldsSchema = z.strictObject(
  {
    previous_secret_ttl_seconds: z
      .number({ error: 'previous_secret_ttl_seconds must be a number' })
      .int({ error: 'previous_secret_ttl_seconds must be an integer' })
      .min(0, { error: 'previous_secret_ttl_seconds must be between 0 and 604800' })
      .max(604_800, { error: 'previous_secret_ttl_seconds must be between 0 and 604800' })
      .default(DEFAULT_PREVIOUS_SECRET_TTL_SECONDS),
  },
  { error: unknownKeys },
);
export const rotateWebhookSecretInputSchema = z.strictObject(
  { id: webhookIdSchema, ...rotateWebhookSecretFieldsSchema.shape },
  { error: unknownKeys },
);

function queryInt(field: string, min: number, max: number) {
  return z
    .union([z.number(), z.string()], { error: `${field} must be a number` })
    .transform((value, ctx) => {
      const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${field} must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

/** GET /api/webhooks/:id/deliveries (query), newest first. */
export const listWebhookDeliveriesQuerySchema = z.strictObject(
  {
    status: z
      .enum(WEBHOOK_DELIVERY_STATUSES, {
        error: (issue) => `Invalid status: ${JSON.stringify(issue.input)} (expected one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')})`,
      })
      .optional(),
    limit: queryInt('limit', 1, 200).default(50),
    offset: queryInt('offset', 0, 10_000_000).default(0),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown query parameter: ${(issue.keys ?? []).join(', ')}` : 'Invalid query') },
);
export const listWebhookDeliveriesInputSchema = z.strictObject(
  { id: webhookIdSchema, ...listWebhookDeliveriesQuerySchema.shape },
  { error: unknownKeys },
);
export type ListWebhookDeliveries = z.output<typeof listWebhookDeliveriesInputSchema>;

export const webhookDeliveryIdInputSchema = z.strictObject({ id: webhookDeliveryIdSchema }, { error: unknownKeys });
