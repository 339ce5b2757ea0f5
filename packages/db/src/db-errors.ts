import { DomainError } from '@scrape-jobs/domain';

/** The PostgreSQL SQLSTATE behind an error from either driver adapter, when there is one. */
export function sqlState(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e: any = error; e && typeof e === 'object' && !seen.has(e); e = e.cause) {
    seen.add(e);
    for (const candidate of [e.code, e.meta?.code, e.meta?.driverAdapterError?.cause?.originalCode, e.originalCode]) {
      // Prisma's own codes (P1xxx–P6xxx, e.g. P2010 "raw query failed") look like SQLSTATEs
      // but are not; the real one is further in.
      if (typeof candidate === 'string' && /^[0-9A-Z]{5}$/.test(candidate) && !/^P[1-6]\d{3}$/.test(candidate)) return candidate;
    }
    if (e.code === 'P2002') return '23505';
    if (typeof e.message === 'string') {
      const m = /\b(23505|23514|40001|40P01|57P01|57P03|08006|08003|08001)\b/.exec(e.message);
      if (m) return m[1];
    }
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === '23505' || /unique constraint/i.test(String((error as Error)?.message));

const CONNECTION_FAILURE = /ECONNREFUSED|ECONNRESET|Connection terminated|terminating connection|Can't reach database|connection is closed|Server has closed the connection|the database system is (starting up|shutting down)|Client has encountered a connection error|timeout exceeded when trying to connect|PGlite is closed|Cannot use a pool after calling end/i;

/** Prisma's driver-adapter error kinds that mean the database went away, not that the query was wrong. */
const CONNECTION_FAILURE_KINDS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections']);

/** The driver-adapter error kind behind a Prisma error (`meta.driverAdapterError.cause.kind`), when there is one. */
function driverAdapterErrorKind(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e: any = error; e && typeof e === 'object' && !seen.has(e); e = e.cause) {
    seen.add(e);
    const kind = e.meta?.driverAdapterError?.cause?.kind ?? (e.name === 'DriverAdapterError' ? e.cause?.kind : undefined);
    if (typeof kind === 'string') return kind;
  }
  return undefined;
}

/** Turns a database outage into a clean 503 instead of a 500 with driver text. */
export function asUnavailable(error: unknown): DomainError | undefined {
  const state = sqlState(error);
  const message = String((error as Error)?.message ?? '');
  const kind = driverAdapterErrorKind(error);
  if (state === '57P01' || state === '57P03' || state?.startsWith('08') || (kind && CONNECTION_FAILURE_KINDS.has(kind)) || CONNECTION_FAILURE.test(message)) {
    return new DomainError('UNAVAILABLE', 'Database unavailable', 'The database did not answer; try again shortly');
  }
  return undefined;
}

/**
 * Text PostgreSQL cannot store — a NUL character (in a text value or a JSON string) or an
 * unpaired UTF-16 surrogate in JSON — is the caller's bad input: a 400, not a 500.
 */
export function asInvalidText(error: unknown): DomainError | undefined {
  const state = sqlState(error);
  const message = String((error as Error)?.message ?? '');
  if (state === '22021' || state === '22P05' || (state === '22P02' && /type json/i.test(message))) {
    return new DomainError(
      'VALIDATION',
      'Text must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates',
      state === '22P02' ? 'invalid input syntax for type json' : 'NUL characters cannot be stored',
    );
  }
  return undefined;
}
