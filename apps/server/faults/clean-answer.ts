import { expect } from 'vitest';

/**
 * What every fuzzed REST request must get: never a 500, and a refusal in the contract's
 * envelope that left the database as it was (`before` is its fingerprint before the call).
 * Returns whether the request was refused.
 */
export async function expectCleanAnswer(
  answer: { status: number; text: string },
  label: string,
  before: string,
  fingerprint: () => Promise<string>,
): Promise<boolean> {
  expect(answer.status, `${label} → ${answer.text}`).toBeLessThan(500);
  if (answer.status < 400) return false;
  const parsed = JSON.parse(answer.text);
  expect(parsed.success).toBe(false);
  expect(typeof parsed.error).toBe('string');
  expect(await fingerprint(), `${label} changed the database`).toBe(before);
  return true;
}
