import { z } from 'zod';

/** Largest serialised size of a free-form object (metadata, a stats patch). */
export const MAX_JSON_OBJECT_BYTES = 64 * 1024;

/** Deepest nesting of a free-form object; deeper would only be an attack on the merge. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a JSON value, counted without recursion (so a hostile input cannot overflow the stack). */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** A plain JSON object (not an array or null), capped in size and depth, with a named error. */
export function jsonObject(field: string) {
  return z
    .record(z.string(), z.unknown(), { error: `${field} must be an object` })
    .superRefine((value, ctx) => {
      if (depthOf(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        ctx.addIssue({ code: 'custom', message: `${field} must be nested at most ${MAX_JSON_DEPTH} levels deep` });
        return;
      }
      if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_JSON_OBJECT_BYTES) {
        ctx.addIssue({ code: 'custom', message: `${field} must be at most ${MAX_JSON_OBJECT_BYTES / 1024} KiB of JSON` });
      }
    });
}
