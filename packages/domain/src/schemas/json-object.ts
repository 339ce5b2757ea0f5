import { z } from 'zod';

/** Largest serialised size of a free-form object (metadata, a stats patch). */
export const MAX_JSON_OBJECT_BYTES = 64 * 1024;

/** A plain JSON object (not an array or null), capped in size, with a named error. */
export function jsonObject(field: string) {
  return z
    .record(z.string(), z.unknown(), { error: `${field} must be an object` })
    .superRefine((value, ctx) => {
      if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_JSON_OBJECT_BYTES) {
        ctx.addIssue({ code: 'custom', message: `${field} must be at most ${MAX_JSON_OBJECT_BYTES / 1024} KiB of JSON` });
      }
    });
}
