import type { z } from 'zod';
import { DomainError } from './errors.ts';
import { sanitizeErrorMessage } from './schemas/inputs.ts';

/** Issues listed in the details at most: a huge bad array must not make a huge answer. */
const MAX_ISSUES = 20;
/** A sentence that quotes the input (an unknown status, say) quotes at most this much. */
const MAX_SENTENCE = 300;

/**
 * Turns a zod failure into the contract's error: the first issue's sentence as the message
 * (e.g. "Priority must be between 1 and 10"), the issues with their paths as details — sanitised
 * and capped, since they may quote the input.
 */
export function validationError(error: z.ZodError): DomainError {
  const issues = error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => ({ path: sanitizeErrorMessage(issue.path.join('.'), MAX_SENTENCE), message: sanitizeErrorMessage(issue.message, MAX_SENTENCE) }));
  return new DomainError('VALIDATION', issues[0]?.message ?? 'Invalid input', issues);
}

/** Parses with a schema, throwing the contract's validation error. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
