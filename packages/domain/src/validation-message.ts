import type { z } from 'zod';
import { DomainError } from './errors.ts';

/**
 * Turns a zod failure into the contract's error: the first issue's sentence as the message
 * (e.g. "Priority must be between 1 and 10"), every issue with its path as details.
 */
export function validationError(error: z.ZodError): DomainError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return new DomainError('VALIDATION', issues[0]?.message ?? 'Invalid input', issues);
}

/** Parses with a schema, throwing the contract's validation error. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
