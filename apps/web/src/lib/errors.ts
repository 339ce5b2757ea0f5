/**
 * Errors in words. The server's tRPC errors carry the contract's sentence as the message and
 * `data.domainCode` / `data.details` (see packages/api/src/trpc.ts); anything else is a
 * network problem.
 */
interface ServerErrorData {
  /** tRPC's code: `UNAUTHORIZED`, `FORBIDDEN`, … */
  code?: string;
  domainCode?: string;
  details?: unknown;
  httpStatus?: number;
}

function dataOf(error: unknown): ServerErrorData | undefined {
  const data = (error as { data?: unknown } | null)?.data;
  return data && typeof data === 'object' ? (data as ServerErrorData) : undefined;
}

export function errorSentence(error: unknown): string {
  if (!error) return 'Unknown error';
  const message = error instanceof Error ? error.message : String(error);
  if (!dataOf(error) && /fetch|network|load failed/i.test(message)) return `The server could not be reached (${message}).`;
  return message;
}

export const domainCodeOf = (error: unknown) => dataOf(error)?.domainCode;
export const detailsOf = (error: unknown) => dataOf(error)?.details;

/** The server wants a (valid) API key: none was sent, or it is unknown or revoked. */
export function isUnauthenticated(error: unknown): boolean {
  const data = dataOf(error);
  return data?.code === 'UNAUTHORIZED' || data?.httpStatus === 401 || data?.domainCode === 'UNAUTHENTICATED';
}

/** The key is valid but its role may not do this. */
export function isForbidden(error: unknown): boolean {
  const data = dataOf(error);
  return data?.code === 'FORBIDDEN' || data?.httpStatus === 403 || data?.domainCode === 'FORBIDDEN';
}

export interface FieldErrors {
  /** By field path as the schema names it: `domain`, `config.maxPages`, … */
  fields: Record<string, string>;
  /** A problem that belongs to no one field. */
  form: string | null;
}

/** Puts a server error next to the field it is about (validation details, duplicate domain). */
export function fieldErrorsFromServer(error: unknown): FieldErrors {
  const code = domainCodeOf(error);
  const details = detailsOf(error);
  if (code === 'DUPLICATE_ACTIVE_JOB') return { fields: { domain: errorSentence(error) }, form: null };
  if (code === 'VALIDATION' && Array.isArray(details)) {
    const fields: Record<string, string> = {};
    for (const issue of details as Array<{ path?: string; message?: string }>) {
      if (issue.path && issue.message && !(issue.path in fields)) fields[issue.path] = issue.message;
    }
    if (Object.keys(fields).length > 0) return { fields, form: null };
  }
  return { fields: {}, form: errorSentence(error) };
}
