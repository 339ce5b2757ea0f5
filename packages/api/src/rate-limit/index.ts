export { createRateLimiter, RATE_LIMIT_BUCKETS, DEFAULT_MAX_SUBJECTS, type RateLimitBucket, type RateLimitDecision, type RateLimiter, type RateLimiterOptions, type RateLimits } from './limiter.ts';
export { enforceRateLimit, rateLimitHeaders, rateLimitedError, rateLimitSubject, type RateLimitCheck } from './enforce.ts';
