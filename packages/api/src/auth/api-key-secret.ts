import { createHash, randomBytes } from 'node:crypto';

/**
 * An API key's secret: `sjk_` + 32 random bytes in base64url (256 bits). Only its sha256 is
 * stored. A fast hash is the right choice here: the secret is random and long, so there is
 * nothing to guess from a leaked hash, and a slow password hash would only slow every request.
 */
export const API_KEY_PREFIX = 'sjk_';
const KEY_PATTERN = /^sjk_[A-Za-z0-9_-]{43}$/;

export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The secret's first characters, shown in lists so people recognise their keys. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, 12);
}

/** Whether the text has the shape of a key at all (anything else is refused without a lookup). */
export function looksLikeApiKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}
