import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { CrawlError } from '../errors.ts';
import { isMetadataAddress, nonPublicRange, parseAddress } from './address-policy.ts';
import type { AllowList } from './allow-list.ts';
import type { Resolver } from './resolver.ts';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The bare host of a URL: IPv6 brackets removed. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Decides which addresses a crawl may connect to, and makes the connection go to exactly
 * the address it decided on: `admit` resolves and checks a URL's host and pins the chosen
 * address; the dispatcher's `lookup` answers only from those pins, so a second DNS answer
 * (rebinding) can never reach a socket.
 */
export class OutboundGuard {
  readonly dispatcher: Agent;
  private readonly pinned = new Map<string, LookupAddress>();
  private readonly resolutions = new Map<string, Promise<string[]>>();
  /** Hosts already admitted, with the address: the answer cannot change (resolutions and pins are kept). */
  private readonly admitted = new Map<string, string>();

  constructor(
    private readonly allow: AllowList,
    private readonly resolve: Resolver,
    connectTimeoutMs: number,
  ) {
    this.dispatcher = new Agent({ connect: { timeout: connectTimeoutMs, lookup: this.lookup }, keepAliveTimeout: 4_000 });
  }

  /** Resolves the URL's host and checks its addresses; throws `dns` or `outbound_blocked`. */
  async admit(url: URL): Promise<string> {
    const host = bareHost(url).toLowerCase();
    const known = this.admitted.get(host);
    if (known !== undefined) return known;
    const addresses = isIP(host) ? [host] : await this.addressesOf(host, url);
    const refusals: string[] = [];
    for (const address of addresses) {
      const refusal = this.refusal(host, address);
      if (refusal) {
        refusals.push(`${address} (${refusal})`);
        continue;
      }
      if (!isIP(host) && !this.pinned.has(host)) this.pinned.set(host, { address, family: parseAddress(address)!.kind() === 'ipv4' ? 4 : 6 });
      const admitted = this.pinned.get(host)?.address ?? address;
      this.admitted.set(host, admitted);
      return admitted;
    }
    throw new CrawlError('outbound_blocked', `Refused to fetch ${url.href}: ${host} is ${refusals.join(', ') || 'unresolvable'}`);
  }

  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  private refusal(host: string, address: string): string | null {
    if (isMetadataAddress(address)) return 'a cloud metadata address';
    if (this.allow.permitsHost(host) || this.allow.permitsAddress(address)) return null;
    const range = nonPublicRange(address);
    return range ? `a ${range} address` : null;
  }

  private addressesOf(host: string, url: URL): Promise<string[]> {
    let pending = this.resolutions.get(host);
    if (!pending) {
      pending = this.resolve(host).then(
        (list) => {
          if (list.length === 0) throw new CrawlError('dns', `DNS lookup found no address for ${host}`);
          return list;
        },
        (error: any) => {
          throw new CrawlError('dns', `DNS lookup failed for ${url.host}${error?.code ? ` (${error.code})` : ''}`);
        },
      );
      this.resolutions.set(host, pending);
    }
    return pending;
  }

  private readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const pin = this.pinned.get(hostname.toLowerCase());
    if (!pin) {
      const error: NodeJS.ErrnoException = new Error(`No checked address for ${hostname}`);
      error.code = 'ERR_OUTBOUND_UNCHECKED';
      return callback(error, '');
    }
    if (options.all) callback(null, [pin]);
    else callback(null, pin.address, pin.family);
  };
}
