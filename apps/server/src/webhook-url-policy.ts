import { isMetadataAddress, nonPublicRange, parseAllowList } from '@scrape-jobs/crawler';
import { isIP } from 'node:net';

/**
 * Refuses, when a webhook is created or its URL changed, a URL whose host is plainly not
 * public: an IP literal in a private, loopback or link-local range, or `localhost` /
 * `*.localhost`, unless WEBHOOK_ALLOW_HOSTS permits it (same syntax as CRAWL_ALLOW_HOSTS).
 * Host names are judged again at every delivery, after DNS resolution (webhook-sender.ts).
 * @returns the refusal's sentence, or null when the URL may be used
 */
export function createWebhookUrlPolicy(allowHosts: string | undefined): (url: string) => string | null {
  const allow = parseAllowList(allowHosts);
  return (url) => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const isLocalName = host === 'localhost' || host.endsWith('.localhost');
    const range = isLocalName ? 'loopback' : isIP(host) ? nonPublicRange(host) : null;
    if (range === null) return null;
    if (!isMetadataAddress(host) && (allow.permitsHost(host) || (!isLocalName && allow.permitsAddress(host)))) return null;
    return `Webhook URL ${url} points to a ${range} address; webhooks may only target public hosts unless WEBHOOK_ALLOW_HOSTS permits it`;
  };
}
