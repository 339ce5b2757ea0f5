import { describe, expect, test } from 'vitest';
import {
  createJobInputSchema,
  DEFAULT_USER_AGENT,
  DomainError,
  listJobsInputSchema,
  parseInput,
  sanitizeErrorMessage,
  updateJobFieldsSchema,
} from '../src/index.ts';

const messageOf = (schema: Parameters<typeof parseInput>[0], input: unknown): string => {
  try {
    parseInput(schema, input);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).message;
  }
  throw new Error('expected a validation error');
};

describe('create', () => {
  test('fills every default', () => {
    expect(parseInput(createJobInputSchema, { domain: 'Example.COM' })).toEqual({
      domain: 'example.com',
      job_type: 'domain_scrape',
      priority: 5,
      max_retries: 3,
      metadata: {},
      config: {
        depth: 3,
        maxPages: 100,
        timeout: 30000,
        respectRobots: true,
        includeSubdomains: false,
        userAgent: DEFAULT_USER_AGENT,
        delay: 1000,
        retryOnFailure: true,
      },
    });
  });

  test.each([
    [{}, 'Domain is required'],
    [{ domain: '' }, 'Domain is required'],
    [{ domain: 'a.com', priority: 0 }, 'Priority must be between 1 and 10'],
    [{ domain: 'a.com', priority: 11 }, 'Priority must be between 1 and 10'],
    [{ domain: 'a.com', priority: 2.5 }, 'Priority must be between 1 and 10'],
    [{ domain: 'a.com', priority: '7' }, 'Priority must be between 1 and 10'],
    [{ domain: 'a.com', config: { maxPages: 0 } }, 'maxPages must be a positive number'],
    [{ domain: 'a.com', config: { maxPages: -5 } }, 'maxPages must be a positive number'],
    [{ domain: 'a.com', config: { maxPages: 100_001 } }, 'maxPages must be at most 100000'],
    [{ domain: 'a.com', config: { depth: '3' } }, 'depth must be a number'],
    [{ domain: 'a.com', config: { maxPage: 5 } }, 'Unknown config field: maxPage'],
    [{ domain: 'a.com', job_type: 'full_crawl' }, 'Invalid job_type: "full_crawl" (expected one of domain_scrape, single_page, sitemap_crawl, product_catalog, content_update)'],
    [{ domain: 'a.com', colour: 'red' }, 'Unknown field: colour'],
    [{ domain: 'a.com', metadata: [] }, 'metadata must be an object'],
  ])('%j → %s', (input, sentence) => {
    expect(messageOf(createJobInputSchema, input)).toBe(sentence);
  });

  test.each(['example.com', 'shop.example.co.uk', '127.0.0.1:8080', 'localhost:3000', 'xn--bcher-kva.example', 'https://Example.com/'])('accepts the domain %s', (domain) => {
    expect(() => parseInput(createJobInputSchema, { domain })).not.toThrow();
  });

  test.each(['example.com/path', 'user@example.com', 'exa mple.com', '-bad.com', 'a.com:0', 'a.com:70000', 'a.com:80:81', '1.2.3.4.5', 'a..com'])('refuses the domain %s', (domain) => {
    expect(messageOf(createJobInputSchema, { domain })).toMatch(/^Invalid domain/);
  });
});

describe('update', () => {
  test.each([
    [{ retry_count: -1 }, 'Invalid retry_count: must be a non-negative integer'],
    [{ retry_count: 1.5 }, 'Invalid retry_count: must be a non-negative integer'],
    [{ retry_count: '2' }, 'Invalid retry_count: must be a non-negative integer'],
    [{ status: 'paused' }, 'Invalid status: "paused" (expected one of pending, running, completed, failed, cancelled)'],
    [{ started_at: 'yesterday' }, 'Invalid started_at: must be an ISO-8601 timestamp'],
    [{ priority: 3 }, 'Unknown or read-only field: priority'],
    [{ stats: { pagesProcessed: -1 } }, 'stats.pagesProcessed must not be negative'],
    [{ stats: 'lots' }, 'stats must be an object'],
  ])('%j → %s', (input, sentence) => {
    expect(messageOf(updateJobFieldsSchema, input)).toBe(sentence);
  });

  test('keeps unknown stats keys and sanitises error_message', () => {
    const parsed = parseInput(updateJobFieldsSchema, { stats: { custom: { a: 1 } }, error_message: 'boom\u0007 at https://user:pw@host/x' });
    expect(parsed.stats).toEqual({ custom: { a: 1 } });
    expect(parsed.error_message).toBe('boom at https://[redacted]@host/x');
  });
});

describe('list', () => {
  test('defaults and query-string coercion', () => {
    expect(parseInput(listJobsInputSchema, {})).toMatchObject({ limit: 50, offset: 0, order_by: 'created_at', order_direction: 'desc' });
    expect(parseInput(listJobsInputSchema, { limit: '20', offset: '40', status: 'pending,running' })).toMatchObject({
      limit: 20,
      offset: 40,
      status: ['pending', 'running'],
    });
  });

  test.each([
    [{ limit: 'abc' }, 'limit must be an integer'],
    [{ limit: '0' }, 'limit must be between 1 and 500'],
    [{ limit: 501 }, 'limit must be between 1 and 500'],
    [{ offset: '-1' }, 'offset must be between 0 and 10000000'],
    [{ status: 'pending,done' }, 'Invalid status: done (expected one of pending, running, completed, failed, cancelled)'],
    [{ order_by: 'domain' }, 'Invalid order_by: "domain" (expected one of created_at, updated_at, status, priority)'],
    [{ order_direction: 'up' }, 'Invalid order_direction: "up" (expected asc or desc)'],
    [{ sort: 'x' }, 'Unknown query parameter: sort'],
  ])('%j → %s', (input, sentence) => {
    expect(messageOf(listJobsInputSchema, input)).toBe(sentence);
  });
});

test('sanitizeErrorMessage caps the length', () => {
  expect(sanitizeErrorMessage('x'.repeat(5000))).toHaveLength(2000);
});

test('free-form objects are capped in depth, without overflowing the stack', () => {
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 5000; i++) {
    const next = {};
    deep.child = next;
    deep = next;
  }
  expect(messageOf(createJobInputSchema, { domain: 'a.com', metadata: root })).toBe('metadata must be nested at most 32 levels deep');
  expect(messageOf(updateJobFieldsSchema, { stats: { nested: root } })).toBe('stats must be nested at most 32 levels deep');
});
