import { isMetadataAddress, nonPublicRange, parseAllowList } from '@scrape-jobs/crawler';

/**
 * Refuses, at creation, a job whose domain is plainly not public: an IP literal in a
 * private, loopback or link-local range, or `localhost` / `*.localhost`, unless
 * CRAWL_ALLOW_HOSTS permits it. Host names are judged by the crawler after DNS resolution
 * (on every request and redirect), since only then is the address known.
 * @returns the refusal's sentence, or null when the domain may be crawled
 */
export function createTargetPolicy(allowHosts: string | undefined): (domain: string) => string | null {
  const allow = parseAllowList(allowHosts);
  return (domain) => {
    const host = domain.replace(/:\d+$/, '');
    const isLocalName = host === 'localhost' || host.endsWith('.localhost');
    const range = isLocalName ? 'loopback' : /^[\d.]+$/.test(host) ? nonPublicRange(host) : null;
    if (range === null) return null;
    if (!isMetadataAddress(host) && (allow.permitsHost(host) || (!isLocalName && allow.permitsAddress(host)))) return null;
    return `Domain ${domain} is a ${range} address; jobs may only target public sites unless CRAWL_ALLOW_HOSTS permits it`;
  };
}
