import { FIXTURE } from '@scrape-jobs/fixture-site';
import { describe, expect, it } from 'vitest';
import { isMetadataAddress, nonPublicRange, OutboundGuard, parseAllowList } from '../src/index.ts';
import { crawlFixture, FIXTURE_ALLOWED, useFixtureSite } from './helpers.ts';

const site = useFixtureSite();

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
  ])('refuses %s (%s)', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });

  it.each(['93.184.215.14', '2606:4700::1111', '8.8.8.8'])('lets public %s through', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });

  it('knows the metadata addresses in any spelling', () => {
    for (const a of ['169.254.169.254', 'fd00:ec2::254', 'fd00:0ec2:0000::0254', '::ffff:169.254.169.254', '100.100.100.200']) expect(isMetadataAddress(a), a).toBe(true);
    expect(isMetadataAddress('169.254.169.253')).toBe(false);
  });
});

describe('parseAllowList', () => {
  it('reads host names, wildcards, IPs and CIDRs', () => {
    const list = parseAllowList(' Localhost:8080, *.intranet.test ,10.0.0.0/8, ::1, ::ffff:192.168.0.0/112,');
    expect(list.entries).toHaveLength(5);
    expect(list.permitsHost('localhost')).toBe(true);
    expect(list.permitsHost('wiki.intranet.test')).toBe(true);
    expect(list.permitsHost('intranet.test.evil.com')).toBe(false);
    expect(list.permitsHost('shop.localhost')).toBe(false);
    expect(list.permitsAddress('10.9.8.7')).toBe(true);
    expect(list.permitsAddress('11.0.0.1')).toBe(false);
    expect(list.permitsAddress('::1')).toBe(true);
    expect(list.permitsAddress('192.168.3.4')).toBe(true);
    expect(list.permitsAddress('::ffff:10.1.1.1')).toBe(true);
  });

  it('is empty for an unset variable and throws on nonsense', () => {
    expect(parseAllowList(undefined).entries).toEqual([]);
    expect(parseAllowList('').permitsHost('localhost')).toBe(false);
    expect(() => parseAllowList('10.0.0.0/99')).toThrow(/CIDR/);
    expect(() => parseAllowList('not a host!')).toThrow(/allow-list entry/);
  });
});

describe('outbound safety', () => {
  it('refuses loopback without the allow-list, before sending anything', async () => {
    const run = await crawlFixture(site(), {}, 'domain_scrape', { allowHosts: undefined });
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'outbound_blocked', retryable: false });
    expect(run.error!.message).toContain('loopback');
    expect(site().requests.entries).toEqual([]);
  });

  it('refuses a host name that resolves to a private address', async () => {
    const run = await crawlFixture({ ...site(), domain: `intranet.example:${site().port}` }, {}, 'domain_scrape', {
      resolve: async () => ['10.0.0.7'],
    });
    expect(run.error).toMatchObject({ kind: 'outbound_blocked', retryable: false });
  });

  it('refuses a redirect to the metadata address even with the fixture allowed, and with its range allowed', async () => {
    for (const allowHosts of [FIXTURE_ALLOWED, parseAllowList('localhost,127.0.0.1,169.254.0.0/16')]) {
      site().requests.clear();
      const run = await crawlFixture(site(), { startUrl: site().url + FIXTURE.special.redirectMetadata }, 'domain_scrape', { allowHosts });
      expect(run.outcome).toBe('failed');
      expect(run.error).toMatchObject({ kind: 'outbound_blocked', retryable: false });
      expect(run.error!.message).toContain('169.254.169.254');
      expect(site().requests.paths()).toEqual(['/robots.txt', FIXTURE.special.redirectMetadata]);
    }
  });

  it('records a refused redirect on another page and carries on', async () => {
    const previousUrls = [site().url + FIXTURE.special.redirectMetadata, `${site().url}/about`];
    const run = await crawlFixture(site(), {}, 'content_update', { previousUrls });
    expect(run.outcome).toBe('completed');
    expect(run.stats.errors!.map((e) => e.url)).toEqual([previousUrls[0]]);
    expect(run.stats.errors![0]!.error).toMatch(/Refused/);
    expect(run.stats.successfulRequests).toBe(2);
  });

  it('checks every redirect hop: a host-name allow-list does not let a redirect reach the loopback IP', async () => {
    const run = await crawlFixture(site(), { startUrl: site().url + FIXTURE.special.redirectLoopback }, 'domain_scrape', { allowHosts: parseAllowList('localhost') });
    expect(run.error?.kind).toBe('outbound_blocked');
    expect(site().requests.entries.some((e) => e.host === '127.0.0.1')).toBe(false);
  });

  it('allows by CIDR: a range covers the names that resolve into it', async () => {
    const run = await crawlFixture(site(), { depth: 1, includeSubdomains: true }, 'domain_scrape', { allowHosts: parseAllowList('127.0.0.0/8') });
    expect(run.outcome).toBe('completed');
    expect(site().requests.forHost('shop.localhost').length).toBeGreaterThan(0);
  });

  it('refuses an IP-literal domain unless the allow-list names it', async () => {
    const domain = `127.0.0.1:${site().port}`;
    const refused = await crawlFixture({ ...site(), domain }, {}, 'domain_scrape', { allowHosts: parseAllowList('localhost') });
    expect(refused.error?.kind).toBe('outbound_blocked');
    const allowed = await crawlFixture({ ...site(), domain }, { depth: 0 }, 'domain_scrape', { allowHosts: parseAllowList('127.0.0.1') });
    expect(allowed.outcome).toBe('completed');
  });

  it('connects to the address it checked: one lookup per host, none by the system resolver', async () => {
    const asked: string[] = [];
    // The system resolver does not know shop.localhost; the crawl reaches it only through the pinned address.
    const run = await crawlFixture(site(), { depth: 2, includeSubdomains: true }, 'domain_scrape', {
      resolve: async (host) => {
        asked.push(host);
        return ['127.0.0.1'];
      },
    });
    expect(asked.sort()).toEqual(['localhost', 'shop.localhost']);
    expect(run.pages.filter((p) => p.url.includes('shop.localhost') && p.status === 200).length).toBeGreaterThan(2);
  });

  it('keeps the first answer for a host: a rebinding resolver cannot move the crawl to a refused address', async () => {
    let calls = 0;
    const run = await crawlFixture(site(), { depth: 1 }, 'domain_scrape', {
      resolve: async () => (calls++ === 0 ? ['127.0.0.1'] : ['169.254.169.254']),
    });
    expect(calls).toBe(1);
    expect(run.stats.failedRequests).toBe(run.pages.filter((p) => p.status === 404).length);
  });

  it('gives the same answer every time it is asked about a host: the pinned address, or the refusal', async () => {
    const guard = new OutboundGuard(parseAllowList('allowed.test'), async (host) => (host === 'allowed.test' ? ['127.0.0.2', '127.0.0.3'] : ['10.0.0.9']), 1_000);
    try {
      for (let i = 0; i < 3; i++) {
        await expect(guard.admit(new URL(`http://allowed.test/page/${i}`))).resolves.toBe('127.0.0.2');
        await expect(guard.admit(new URL(`https://refused.test/page/${i}`))).rejects.toMatchObject({ kind: 'outbound_blocked' });
        await expect(guard.admit(new URL(`http://127.0.0.1:8080/page/${i}`))).rejects.toMatchObject({ kind: 'outbound_blocked' });
      }
    } finally {
      await guard.close();
    }
  });

  it('stops reading a response beyond maxResponseBytes', async () => {
    const maxResponseBytes = 64 * 1024;
    const run = await crawlFixture(site(), { startUrl: site().url + FIXTURE.special.large }, 'domain_scrape', { maxResponseBytes });
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'invalid', retryable: false });
    expect(run.stats.bytesDownloaded).toBeLessThan(maxResponseBytes + 70 * 1024);
    expect(run.stats.bytesDownloaded).toBeLessThan(FIXTURE.largePageBytes);
  });

  it('follows at most maxRedirects redirects', async () => {
    const loop = await crawlFixture(site(), { startUrl: site().url + FIXTURE.special.redirectLoop });
    expect(loop.error).toMatchObject({ kind: 'invalid', retryable: false });
    expect(site().requests.paths().filter((p) => p === FIXTURE.special.redirectLoop)).toHaveLength(6);
    const chain = `${site().url}/redirect/chain/1`;
    expect((await crawlFixture(site(), { startUrl: chain }, 'single_page', { maxRedirects: 2 })).error?.kind).toBe('invalid');
    const ok = await crawlFixture(site(), { startUrl: chain }, 'single_page', { maxRedirects: 3 });
    expect(ok.pages.map((p) => p.url)).toEqual([`${site().url}/moved`]);
  });
});
