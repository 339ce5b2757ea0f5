import type { FixtureLink, FixtureSite, SiteName } from './types.ts';

export interface ReachOptions {
  /** Site the crawl starts on; the scope is that site (plus `shop` under `main` with includeSubdomains). */
  site?: SiteName;
  start?: string;
  depth: number;
  includeSubdomains?: boolean;
  respectRobots?: boolean;
}

/** A page a breadth-first crawl fetches: `path` as linked, `finalPath` after redirects. */
export interface ReachedPage {
  site: SiteName;
  path: string;
  finalPath: string;
  depth: number;
  status: 200 | 404;
}

export interface Reach {
  pages: ReachedPage[];
  /** Links within the depth limit that robots.txt disallows, in discovery order. */
  blocked: Array<{ site: SiteName; path: string }>;
}

/** A link's target on a fixture site, or null for external, mailto and fragment-only links. */
export function linkTarget(from: SiteName, link: FixtureLink): { site: SiteName; path: string } | null {
  if (typeof link === 'object') return { site: link.site, path: link.path.split('#')[0]! };
  if (!link.startsWith('/')) return null;
  return { site: from, path: link.split('#')[0]! };
}

export function isDocument(path: string, extensions: readonly string[]): boolean {
  const ext = path.split('?')[0]!.split('.').pop()?.toLowerCase() ?? '';
  return path.includes('.') && extensions.includes(ext);
}

/**
 * The expected breadth-first crawl over the fixture's link graph, written independently of
 * any crawler: documents, external links and out-of-scope sites are not fetched, a
 * redirect counts as one page (its target's links), a missing path is a 404 page.
 */
export function reachable(sites: Record<SiteName, FixtureSite>, extensions: readonly string[], disallowed: readonly string[], options: ReachOptions): Reach {
  const startSite = options.site ?? 'main';
  const inScope = (s: SiteName) => s === startSite || (options.includeSubdomains === true && startSite === 'main' && s === 'shop');
  const key = (s: SiteName, p: string) => `${s} ${p}`;
  const seen = new Set<string>();
  const blockedSeen = new Set<string>();
  const pages: ReachedPage[] = [];
  const blocked: Reach['blocked'] = [];
  const queue: Array<{ site: SiteName; path: string; depth: number }> = [{ site: startSite, path: options.start ?? '/', depth: 0 }];
  seen.add(key(startSite, options.start ?? '/'));

  while (queue.length > 0) {
    const item = queue.shift()!;
    let finalPath = item.path;
    for (let hops = 0; hops < 10 && sites[item.site].pages[finalPath]?.redirect; hops++) {
      finalPath = sites[item.site].pages[finalPath]!.redirect!.to;
      seen.add(key(item.site, finalPath));
    }
    const found = sites[item.site].pages[finalPath];
    pages.push({ site: item.site, path: item.path, finalPath, depth: item.depth, status: found ? 200 : 404 });
    if (!found || item.depth >= options.depth) continue;
    for (const link of found.links) {
      const target = linkTarget(item.site, link);
      if (!target || !inScope(target.site) || isDocument(target.path, extensions)) continue;
      const k = key(target.site, target.path);
      if (seen.has(k) || blockedSeen.has(k)) continue;
      if (options.respectRobots !== false && disallowed.some((prefix) => target.path.startsWith(prefix))) {
        blockedSeen.add(k);
        blocked.push(target);
        continue;
      }
      seen.add(k);
      queue.push({ ...target, depth: item.depth + 1 });
    }
  }
  return { pages, blocked };
}

/** Main-site paths of an unbounded robots-respecting crawl from `/`, grouped by depth. */
export function pagesByDepth(sites: Record<SiteName, FixtureSite>, extensions: readonly string[], disallowed: readonly string[]): string[][] {
  const byDepth: string[][] = [];
  for (const p of reachable(sites, extensions, disallowed, { depth: Number.POSITIVE_INFINITY }).pages) {
    (byDepth[p.depth] ??= []).push(p.path);
  }
  return byDepth;
}
