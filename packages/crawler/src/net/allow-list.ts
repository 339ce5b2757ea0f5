import ipaddr from 'ipaddr.js';
import { parseAddress } from './address-policy.ts';

/**
 * Hosts and addresses the outbound guard lets through although they are not public (a
 * fixture on loopback, an intranet site). Built by `parseAllowList` from CRAWL_ALLOW_HOSTS.
 */
export interface AllowList {
  /** The entries as given, normalised. */
  readonly entries: readonly string[];
  /** A host name equal to an entry, or under a `*.name` / `.name` entry. */
  permitsHost(host: string): boolean;
  /** An address equal to an IP entry or inside a CIDR entry. */
  permitsAddress(address: string): boolean;
}

export const EMPTY_ALLOW_LIST: AllowList = { entries: [], permitsHost: () => false, permitsAddress: () => false };

/**
 * Comma-separated host names (`localhost`, `*.intranet.test`), IPs (`127.0.0.1`, `::1`) or
 * CIDRs (`127.0.0.0/8`). A `:port` on a host name is ignored: the guard decides by host.
 * Throws on an entry that is none of these, so a typo fails at start rather than silently.
 */
export function parseAllowList(value: string | undefined): AllowList {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const entry of entries) {
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`Invalid allow-list entry ${JSON.stringify(entry)}: not a CIDR range`);
      const [range, bits] = ipaddr.parseCIDR(entry);
      // ::ffff:a.b.c.d/n covers IPv4 addresses, which parseAddress unwraps before matching.
      ranges.push(range instanceof ipaddr.IPv6 && range.isIPv4MappedAddress() && bits >= 96 ? [range.toIPv4Address(), bits - 96] : [range, bits]);
      continue;
    }
    const address = parseAddress(entry);
    if (address) {
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      continue;
    }
    const host = entry.replace(/:\d+$/, '');
    const wildcard = /^\*?\./.test(host);
    const name = host.replace(/^\*?\./, '');
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
      throw new Error(`Invalid allow-list entry ${JSON.stringify(entry)}: not a host name, IP or CIDR`);
    }
    if (wildcard) suffixes.push(`.${name}`);
    else hosts.add(name);
  }
  return {
    entries,
    permitsHost: (host) => {
      const h = host.toLowerCase().replace(/\.$/, '');
      return hosts.has(h) || suffixes.some((s) => h.endsWith(s));
    },
    permitsAddress: (addr) => {
      const parsed = parseAddress(addr);
      return parsed !== null && ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
    },
  };
}
