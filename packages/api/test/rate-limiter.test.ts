/**
 * The limiter on its own, with an injected clock: the burst, the refill, the buckets and
 * subjects kept apart, and the memory bound.
 */
import { OPEN_PRINCIPAL } from '@scrape-jobs/domain';
import { expect, test } from 'vitest';
import { createRateLimiter, enforceRateLimit, rateLimitHeaders, rateLimitSubject } from '../src/rate-limit/index.ts';

function clockAt(start = Date.parse('2026-12-03T10:00:00.000Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

test('a quiet subject may send the whole quota at once, counting down, and the next one is refused', () => {
  const clock = clockAt();
  const limiter = createRateLimiter({ limits: { writes: 3, worker: 0 }, clock: clock.now });
  const remaining = [1, 2, 3].map(() => limiter.take('writes', 'ip:a')!);
  expect(remaining.map((d) => [d.allowed, d.remaining])).toEqual([[true, 2], [true, 1], [true, 0]]);
  const refused = limiter.take('writes', 'ip:a')!;
  expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3, windowSeconds: 60 });
  // One request refills every 60 s / 3 = 20 s; the whole quota is back a minute after the burst.
  expect(refused.retryAfterSeconds).toBe(20);
  expect(refused.resetSeconds).toBe(60);
});

test('the quota refills with time: after the retry-after one more, after the window all of it', () => {
  const clock = clockAt();
  const limiter = createRateLimiter({ limits: { writes: 3, worker: 0 }, clock: clock.now });
  for (let i = 0; i < 3; i++) limiter.take('writes', 'ip:a');
  clock.advance(19_999);
  expect(limiter.take('writes', 'ip:a')!.allowed).toBe(false);
  clock.advance(1);
  expect(limiter.take('writes', 'ip:a')).toMatchObject({ allowed: true, remaining: 0 });
  clock.advance(60_000);
  expect(limiter.take('writes', 'ip:a')).toMatchObject({ allowed: true, remaining: 2 });
});

test('a refused request is not counted: waiting out the retry-after is enough however often one asked', () => {
  const clock = clockAt();
  const limiter = createRateLimiter({ limits: { writes: 2, worker: 0 }, clock: clock.now });
  limiter.take('writes', 'ip:a');
  limiter.take('writes', 'ip:a');
  for (let i = 0; i < 50; i++) expect(limiter.take('writes', 'ip:a')!.allowed).toBe(false);
  clock.advance(30_000);
  expect(limiter.take('writes', 'ip:a')!.allowed).toBe(true);
});

test('buckets and subjects are counted apart; a bucket at 0 is not limited', () => {
  const clock = clockAt();
  const limiter = createRateLimiter({ limits: { writes: 1, worker: 2 }, clock: clock.now });
  expect(limiter.take('writes', 'key:one')!.allowed).toBe(true);
  expect(limiter.take('writes', 'key:one')!.allowed).toBe(false);
  expect(limiter.take('writes', 'key:two')!.allowed).toBe(true);
  expect(limiter.take('worker', 'key:one')).toMatchObject({ allowed: true, remaining: 1 });
  const off = createRateLimiter({ limits: { writes: 0, worker: 5 }, clock: clock.now });
  expect(off.take('writes', 'key:one')).toBeNull();
  expect(off.size()).toBe(0);
});

test('memory is bounded: idle subjects are forgotten first, then the least recent', () => {
  const clock = clockAt();
  const limiter = createRateLimiter({ limits: { writes: 2, worker: 0 }, clock: clock.now, maxSubjects: 100 });
  for (let i = 0; i < 100; i++) limiter.take('writes', `ip:${i}`);
  expect(limiter.size()).toBe(100);
  clock.advance(30_000); // every one of them is idle again (2 per minute: one takes 30 s to refill)
  limiter.take('writes', 'ip:new');
  expect(limiter.size()).toBe(1);
  for (let i = 0; i < 250; i++) limiter.take('writes', `ip:busy-${i}`);
  expect(limiter.size()).toBeLessThanOrEqual(100);
  // The most recent subjects are still remembered: their second request leaves none.
  expect(limiter.take('writes', 'ip:busy-249')).toMatchObject({ allowed: true, remaining: 0 });
});

test('the headers name the policy and the state (draft-ietf-httpapi-ratelimit-headers-09), Retry-After only on a refusal', () => {
  const clock = clockAt();
  const limiter = createRateLimiter({ limits: { writes: 300, worker: 0 }, clock: clock.now });
  expect(rateLimitHeaders(limiter.take('writes', 'ip:a')!)).toEqual({ 'ratelimit-policy': '"writes";q=300;w=60', ratelimit: '"writes";r=299;t=1' });
  for (let i = 0; i < 299; i++) limiter.take('writes', 'ip:a');
  expect(rateLimitHeaders(limiter.take('writes', 'ip:a')!)).toEqual({ 'ratelimit-policy': '"writes";q=300;w=60', ratelimit: '"writes";r=0;t=60', 'retry-after': '1' });
});

test('enforceRateLimit sets the headers and throws RATE_LIMITED; a request counts against its key when it has one', () => {
  const limiter = createRateLimiter({ limits: { writes: 1, worker: 0 }, clock: clockAt().now });
  const keyed = { ...OPEN_PRINCIPAL, keyId: 'k1' };
  expect(rateLimitSubject(keyed, '10.0.0.1')).toBe('key:k1');
  expect(rateLimitSubject(OPEN_PRINCIPAL, '10.0.0.1')).toBe('ip:10.0.0.1');
  const headers: Record<string, string> = {};
  const setHeader = (name: string, value: string) => void (headers[name] = value);
  enforceRateLimit({ limiter, bucket: 'writes', principal: keyed, clientIp: '10.0.0.1', setHeader });
  expect(headers.ratelimit).toBe('"writes";r=0;t=60');
  expect(() => enforceRateLimit({ limiter, bucket: 'writes', principal: keyed, clientIp: '10.0.0.2', setHeader })).toThrow(
    expect.objectContaining({ code: 'RATE_LIMITED', message: 'Too many requests', details: { bucket: 'writes', limit: 1, window_seconds: 60, retry_after_seconds: 60 } }),
  );
  expect(headers['retry-after']).toBe('60');
  // The same address without the key is somebody else.
  expect(() => enforceRateLimit({ limiter, bucket: 'writes', principal: OPEN_PRINCIPAL, clientIp: '10.0.0.1' })).not.toThrow();
});
