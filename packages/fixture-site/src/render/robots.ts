/** robots.txt: a group for every agent, one with a Crawl-delay, one that may fetch nothing. */
export function robotsTxt(opts: { disallowed: readonly string[]; crawlDelayAgent: { name: string; seconds: number }; blockedAgent: string; sitemapUrl: string }): string {
  const rules = opts.disallowed.map((path) => `Disallow: ${path}`);
  return [
    '# Fixture shop',
    'User-agent: *',
    ...rules,
    '',
    `User-agent: ${opts.crawlDelayAgent.name}`,
    `Crawl-delay: ${opts.crawlDelayAgent.seconds}`,
    ...rules,
    '',
    `User-agent: ${opts.blockedAgent}`,
    'Disallow: /',
    '',
    `Sitemap: ${opts.sitemapUrl}`,
    '',
  ].join('\n');
}
