import { isIP } from 'node:net';
import { CrawlError } from './errors.ts';

/** Which URLs belong to a job's domain. */
export interface Scope {
  /** The domain's host name, lower-case, without port. */
  host: string;
  /** The domain's port; null means the scheme's default port. */
  port: string | null;
  contains(url: URL): boolean;
}

const effectivePort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/**
 * A job's domain (`example.com`, `localhost:8080`, `10.0.0.5:8080`) as a scope: the same host
 * and port on http or https, its `www.` twin, and with includeSubdomains any name under it
 * (an IP literal has none). Throws `invalid` for a domain that is not a bare host.
 */
export function scopeFor(domain: string, includeSubdomains: boolean): Scope {
  const trimmed = domain.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, '');
  let parsed: URL;
  try {
    parsed = new URL(`http://${trimmed}`);
  } catch {
    throw new CrawlError('invalid', `Invalid domain ${JSON.stringify(domain)}`);
  }
  if (!parsed.hostname || parsed.username || parsed.password || parsed.pathname !== '/' || parsed.search || parsed.hash) {
    throw new CrawlError('invalid', `Invalid domain ${JSON.stringify(domain)}: expected a host name with an optional port`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const explicitPort = /:(\d+)$/.exec(trimmed)?.[1] ?? null;
  const ip = isIP(host) !== 0;
  const base = host.replace(/^www\./, '');
  return {
    host,
    port: explicitPort,
    contains(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      if (explicitPort ? effectivePort(url) !== String(Number(explicitPort)) : url.port !== '') return false;
      const h = url.hostname.replace(/^\[|\]$/g, '');
      if (h === host) return true;
      if (ip) return false;
      if (h === base || h === `www.${base}`) return true;
      return includeSubdomains && h.endsWith(`.${host}`);
    },
  };
}
