import { expect, test } from 'vitest';
import { claimJobInputSchema, createJobInputSchema, retryJobInputSchema, sanitizeErrorMessage, updateJobFieldsSchema, validationError } from '../src/index.ts';

test('control characters go (C0 but tab and newline, DEL, C1) and so do bidirectional overrides', () => {
  expect(sanitizeErrorMessage('a\u0000b\u0007c\u001b[31md\u007fe\u0085f\u009bg')).toBe('abc[31mdefg');
  expect(sanitizeErrorMessage('line one\n\tline two')).toBe('line one\n\tline two');
  expect(sanitizeErrorMessage('invoice\u202egnp.exe \u2066x\u2069 \u200f')).toBe('invoicegnp.exe x');
});

test('credentials in URLs are redacted: the user-info part, also with an @ in the password, and secret query parameters', () => {
  expect(sanitizeErrorMessage('connect postgres://app:s3cret@db.internal:5432/jobs failed')).toBe('connect postgres://[redacted]@db.internal:5432/jobs failed');
  expect(sanitizeErrorMessage('GET https://u:p@ss@host.example/x')).toBe('GET https://[redacted]@host.example/x');
  expect(sanitizeErrorMessage('GET https://api.example/v1?id=3&api_key=abc123&x=1 and ?token=t0k#frag')).toBe(
    'GET https://api.example/v1?id=3&api_key=[redacted]&x=1 and ?token=[redacted]#frag',
  );
  // An @ after the path is not user-info.
  expect(sanitizeErrorMessage('see https://example.com/users/@alice')).toBe('see https://example.com/users/@alice');
});

test('the length is capped, at 2000 by default or as asked', () => {
  expect(sanitizeErrorMessage('x'.repeat(5000))).toHaveLength(2000);
  expect(sanitizeErrorMessage('x'.repeat(5000), 300)).toHaveLength(300);
});

test('error_message and retried_by are stored sanitised', () => {
  const fields = updateJobFieldsSchema.parse({ error_message: 'fetch http://bot:pw@shop.example/ failed\u0007' });
  expect(fields.error_message).toBe('fetch http://[redacted]@shop.example/ failed');
  const retry = retryJobInputSchema.parse({ id: '123e4567-e89b-12d3-a456-426614174000', retried_by: 'ops\u001b[2J\u0000' });
  expect(retry.retried_by).toBe('ops[2J');
});

test('a validation sentence that quotes the input is capped, and so is the list of issues', () => {
  const result = createJobInputSchema.safeParse({ domain: 'a.com', job_type: `x${'\u0007'.repeat(10)}${'y'.repeat(100_000)}` });
  if (result.success) throw new Error('expected a failure');
  const error = validationError(result.error);
  expect(error.message.startsWith('Invalid job_type: "x')).toBe(true);
  expect(error.message.length).toBeLessThanOrEqual(300);
  const many = claimJobInputSchema.safeParse({ job_types: Array.from({ length: 200 }, (_, i) => `type-${i}`) });
  if (many.success) throw new Error('expected a failure');
  expect(many.error.issues).toHaveLength(200);
  expect(validationError(many.error).details).toHaveLength(20);
});
