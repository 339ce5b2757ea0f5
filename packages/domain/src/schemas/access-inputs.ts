import { z } from 'zod';
import { ROLES } from '../access.ts';
import { MAX_LIST_LIMIT, queryInt } from './inputs.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const unknownKeys = (what: string) => (issue: { code: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys' ? `Unknown ${what}: ${(issue.keys ?? []).join(', ')}` : 'Request body must be a JSON object';

const uuid = (field: string) =>
  z.string({ error: `${field} must be a UUID` }).regex(UUID, { error: `${field} must be a UUID` }).transform((v) => v.toLowerCase());

/** An API key's id. */
export const apiKeyIdSchema = z
  .string({ error: 'API key id is required' })
  .regex(UUID, { error: 'Invalid API key id: must be a UUID' })
  .transform((id) => id.toLowerCase());

export const roleSchema = z.enum(ROLES, {
  error: (issue) => `Invalid role: ${JSON.stringify(issue.input)} (expected one of ${ROLES.join(', ')})`,
});

/** `apiKeys.create`, POST /api/keys, `keys create`. */
export const createApiKeyInputSchema = z.strictObject(
  {
    name: z
      .string({ error: 'name is required' })
      .trim()
      .min(1, { error: 'name must not be empty' })
      .max(100, { error: 'name must be at most 100 characters' })
      .regex(/^[^\u0000-\u001f\u007f]+$/, { error: 'name must not contain control characters' }),
    role: roleSchema,
    /** The tenant (`customer_config_id`) the key is confined to; absent or null: every tenant. */
    tenant_id: uuid('tenant_id').nullable().optional(),
  },
  { error: unknownKeys('field') },
);
export type CreateApiKeyInput = z.input<typeof createApiKeyInputSchema>;
export type CreateApiKey = z.output<typeof createApiKeyInputSchema>;

/** `apiKeys.revoke`, DELETE /api/keys/{id}. */
export const revokeApiKeyInputSchema = z.strictObject({ id: apiKeyIdSchema }, { error: unknownKeys('field') });

/** `apiKeys.list`, GET /api/keys. */
export const listApiKeysInputSchema = z.strictObject(
  {
    /** Revoked keys are listed too unless this is false. */
    include_revoked: z
      .union([z.boolean(), z.enum(['true', 'false'])], { error: 'include_revoked must be true or false' })
      .transform((v) => v === true || v === 'true')
      .default(true),
  },
  { error: unknownKeys('query parameter') },
);
export type ListApiKeys = z.output<typeof listApiKeysInputSchema>;

/** `audit.list`, GET /api/audit: newest first, paged. */
export const listAuditEventsInputSchema = z.strictObject(
  {
    action: z.string({ error: 'action must be a string' }).trim().min(1).max(100, { error: 'action must be at most 100 characters' }).optional(),
    subject_type: z.string({ error: 'subject_type must be a string' }).trim().min(1).max(100, { error: 'subject_type must be at most 100 characters' }).optional(),
    subject_id: z.string({ error: 'subject_id must be a string' }).trim().min(1).max(200, { error: 'subject_id must be at most 200 characters' }).optional(),
    limit: queryInt('limit', 1, MAX_LIST_LIMIT).default(50),
    offset: queryInt('offset', 0, 10_000_000).default(0),
  },
  { error: unknownKeys('query parameter') },
);
export type ListAuditEvents = z.output<typeof listAuditEventsInputSchema>;

/** An API key as every list and the creation answer show it (never the hash). */
export interface ApiKeyView {
  id: string;
  name: string;
  role: (typeof ROLES)[number];
  tenant_id: string | null;
  key_prefix: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** One row of the general audit trail. */
export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  key_id: string | null;
  request_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  changes: Record<string, unknown>;
  tenant_id: string | null;
}
