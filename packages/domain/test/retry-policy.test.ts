import { expect, test } from 'vitest';
import { hasRetriesLeft, retryDelayMs } from '../src/index.ts';

test('60 s, 300 s, then 900 s, exactly at the middle of the jitter', () => {
  const middle = () => 0.5;
  expect([1, 2, 3, 4, 9].map((n) => retryDelayMs(n, middle))).toEqual([60_000, 300_000, 900_000, 900_000, 900_000]);
});

test('jitter stays within ±10 %', () => {
  expect(retryDelayMs(1, () => 0)).toBe(54_000);
  expect(retryDelayMs(1, () => 0.999999)).toBeLessThanOrEqual(66_000);
  for (let i = 0; i < 200; i++) {
    const d = retryDelayMs(2);
    expect(d).toBeGreaterThanOrEqual(270_000);
    expect(d).toBeLessThanOrEqual(330_000);
  }
});

test('retries left', () => {
  expect(hasRetriesLeft({ retry_count: 2, max_retries: 3 })).toBe(true);
  expect(hasRetriesLeft({ retry_count: 3, max_retries: 3 })).toBe(false);
});
