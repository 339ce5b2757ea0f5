/** The hardening settings as the server reads them from its environment. */
import { expect, test } from 'vitest';
import { parseEnv } from '../src/env.ts';

test('rate limits are on by default, and 0 turns a bucket off', () => {
  expect(parseEnv({})).toMatchObject({ RATE_LIMIT_WRITES_PER_MINUTE: 300, RATE_LIMIT_WORKER_PER_MINUTE: 6000, CORS_ORIGINS: [] });
  expect(parseEnv({ RATE_LIMIT_WRITES_PER_MINUTE: '0', RATE_LIMIT_WORKER_PER_MINUTE: '12' })).toMatchObject({ RATE_LIMIT_WRITES_PER_MINUTE: 0, RATE_LIMIT_WORKER_PER_MINUTE: 12 });
  expect(() => parseEnv({ RATE_LIMIT_WRITES_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_WRITES_PER_MINUTE/);
  expect(() => parseEnv({ RATE_LIMIT_WORKER_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_WORKER_PER_MINUTE/);
});

test('CORS_ORIGINS takes a comma list of exact origins and refuses anything else by name', () => {
  expect(parseEnv({ CORS_ORIGINS: ' https://ops.example.com, http://localhost:5173 ,' }).CORS_ORIGINS).toEqual(['https://ops.example.com', 'http://localhost:5173']);
  for (const bad of ['https://ops.example.com/', 'https://ops.example.com/app', 'ops.example.com', '*', 'ftp://files.example.com']) {
    expect(() => parseEnv({ CORS_ORIGINS: `https://ok.example.com,${bad}` }), bad).toThrow(`CORS_ORIGINS: ${bad} is not an origin (scheme://host[:port], no path)`);
  }
});
