/** What an error says to the client is sanitised however it was made. */
import { DomainError } from '@scrape-jobs/domain';
import { expect, test } from 'vitest';
import { toDomainError, toErrorEnvelope } from '../src/errors.ts';

test("an unexpected fault's cause (say a driver's message) goes out capped, without control characters or URL credentials", () => {
  const fault = new Error(`connect postgres://app:s3cret@db.internal:5432/jobs failed\u0007\n\tat Socket${' x'.repeat(1000)}`);
  const domain = toDomainError(fault, 'update scrape job');
  expect(domain.code).toBe('INTERNAL');
  expect(domain.message).toBe('Failed to update scrape job');
  expect(domain.details).toMatch(/^connect postgres:\/\/\[redacted\]@db\.internal:5432\/jobs failed at Socket x x/);
  expect((domain.details as string).length).toBeLessThanOrEqual(300);
});

test('the envelope sanitises the sentence and every string in the details', () => {
  const error = new DomainError('CLAIM_LOST', `Claim lost\u001b[2J${'!'.repeat(1000)}`, {
    currentStatus: 'failed',
    reason: 'worker said https://u:p@h.example/?api_key=k1\u0000',
    nested: [{ note: '\u202eevil' }],
    count: 3,
  });
  const envelope = toErrorEnvelope(error);
  expect(envelope.error.startsWith('Claim lost[2J!!!')).toBe(true);
  expect(envelope.error.length).toBe(500);
  expect(envelope.details).toEqual({ currentStatus: 'failed', reason: 'worker said https://[redacted]@h.example/?api_key=[redacted]', nested: [{ note: 'evil' }], count: 3 });
});
