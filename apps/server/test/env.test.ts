import { describe, expect, test } from 'vitest';
import { isLoopbackHost, parseEnv } from '../src/env.ts';

describe('AUTH_MODE', () => {
  test.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('defaults to open on the loopback HOST %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(parseEnv({ HOST: host }).AUTH_MODE).toBe('open');
  });

  test('defaults to open when HOST is not set (it defaults to 127.0.0.1)', () => {
    expect(parseEnv({}).AUTH_MODE).toBe('open');
  });

  test.each(['0.0.0.0', '::', '192.168.1.10', 'example.com', '128.0.0.1'])('defaults to keys on the non-loopback HOST %s', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(parseEnv({ HOST: host }).AUTH_MODE).toBe('keys');
  });

  test('keys can be required on loopback too', () => {
    expect(parseEnv({ HOST: '127.0.0.1', AUTH_MODE: 'keys' }).AUTH_MODE).toBe('keys');
  });

  test('open on a non-loopback HOST is refused with a sentence saying what to do', () => {
    expect(() => parseEnv({ HOST: '0.0.0.0', AUTH_MODE: 'open' })).toThrow(
      /^Refusing to start: AUTH_MODE=open on HOST=0\.0\.0\.0 would let anyone who can reach it act as admin without a key\. Use AUTH_MODE=keys/,
    );
  });

  test('an unknown mode is refused', () => {
    expect(() => parseEnv({ AUTH_MODE: 'none' })).toThrow('Invalid environment: AUTH_MODE: must be keys or open');
  });
});
