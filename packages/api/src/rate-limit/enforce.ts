import { DomainError, type Principal } from '@scrape-jobs/domain';
import type { RateLimitBucket, RateLimitDecision, RateLimiter } from './limiter.ts';

/**
 * The response fields of draft-ietf-httpapi-ratelimit-headers-09: the policy
 * (`"writes";q=300;w=60`) and the subject's state in it (`"writes";r=299;t=1`), plus
 * `Retry-After` on a refusal.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const name = `"${decision.bucket}"`;
  const headers: Record<string, string> = {
    'ratelimit-policy': `${name};q=${decision.limit};w=${decision.windowSeconds}`,
    ratelimit: `${name};r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}

export function rateLimitedError(decision: RateLimitDecision): DomainError {
  return new DomainError('RATE_LIMITED', 'Too many requests', {
    bucket: decision.bucket,
    limit: decision.limit,
    window_seconds: decision.windowSeconds,
    retry_after_seconds: decision.retryAfterSeconds,
  });
}

/** Whom a request counts against: its API key when it has one, else the client's address. */
export function rateLimitSubject(principal: Principal, clientIp: string | undefined): string {
  return principal.keyId ? `key:${principal.keyId}` : `ip:${clientIp ?? 'unknown'}`;
}

export interface RateLimitCheck {
  limiter: RateLimiter;
  bucket: RateLimitBucket;
  principal: Principal;
  clientIp: string | undefined;
  /** Where the headers go; absent in-process (createCaller), where there is no response. */
  setHeader?: ((name: string, value: string) => void) | undefined;
}

/**
 * Counts the request, puts the headers on the response and throws RATE_LIMITED when it is
 * over the limit — before anything else runs, so a refused request changes nothing.
 */
export function enforceRateLimit({ limiter, bucket, principal, clientIp, setHeader }: RateLimitCheck): void {
  const decision = limiter.take(bucket, rateLimitSubject(principal, clientIp));
  if (!decision) return;
  if (setHeader) for (const [name, value] of Object.entries(rateLimitHeaders(decision))) setHeader(name, value);
  if (!decision.allowed) throw rateLimitedError(decision);
}
