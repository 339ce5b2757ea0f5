import { lookup } from 'node:dns/promises';

/** Resolves a host name to its addresses. */
export type Resolver = (host: string) => Promise<string[]>;

/**
 * `localhost` and every `*.localhost` name are loopback (RFC 6761), answered without asking
 * the system resolver (which here knows `localhost` only); other names go to dns.lookup.
 */
export const defaultResolver: Resolver = async (host) => {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return ['127.0.0.1'];
  const answers = await lookup(name, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};
