import ipaddr from 'ipaddr.js';

/**
 * Cloud metadata endpoints (AWS/GCP/Azure/OpenStack, AWS IPv6 and ECS/EKS, Alibaba,
 * Oracle). Refused even when an allow-list range covers them: nothing a crawl needs is there.
 */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '169.254.170.23', 'fd00:ec2::254', 'fd00:ec2::23', '100.100.100.200', '192.0.0.192']);

/** An address as ipaddr.js sees it, IPv4-mapped IPv6 unwrapped to IPv4; null if not an IP. */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = address.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? ipaddr.process(bare) : null;
}

export function isMetadataAddress(address: string): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && METADATA_ADDRESSES.has(parsed.toString());
}

/**
 * Why a crawler must not connect to this address (ipaddr.js's range name: loopback, private,
 * linkLocal, uniqueLocal, carrierGradeNat, …), or null for a public unicast address.
 */
export function nonPublicRange(address: string): string | null {
  const parsed = parseAddress(address);
  if (!parsed) return 'invalid';
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}
