import { expect, test } from 'vitest';
import { createJobInputSchema } from '../src/index.ts';
test('smoke', () => {
  expect(createJobInputSchema.parse({ domain: 'Example.com' }).domain).toBe('example.com');
});
