/**
 * A small history router: the page, the job id and every filter live in the URL, so a link
 * can be shared and the back button works. The server answers any non-API path with the
 * dashboard (SPA fallback), so a reload on /jobs/<id> opens that job.
 *
 *   /                 jobs list     ?status=running,failed&domain=…&job_type=…&order_by=…&dir=…&page=…&limit=…
 *   /jobs/<id>        job detail
 *   /new              create a job
 *   /stats            statistics    ?domain=…
 *   /queue            queue and workers
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { page: 'jobs' }
  | { page: 'job'; id: string }
  | { page: 'create' }
  | { page: 'stats' }
  | { page: 'queue' }
  | { page: 'not-found'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/jobs') return { page: 'jobs' };
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job) return { page: 'job', id: decodeURIComponent(job[1]!) };
  if (path === '/new') return { page: 'create' };
  if (path === '/stats') return { page: 'stats' };
  if (path === '/queue') return { page: 'queue' };
  return { page: 'not-found', path };
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query; re-renders on navigation. */
export function useLocation(): { route: Route; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot, () => '/');
  const url = new URL(href, 'http://dashboard.invalid');
  return { route: parseRoute(url.pathname), search: url.searchParams, href };
}

/** Goes to `to` (a path with an optional query). `replace` keeps the history entry (filters). */
export function navigate(to: string, { replace = false }: { replace?: boolean } = {}) {
  if (to === snapshot()) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** Builds `path?query` from params, leaving out empty values. */
export function hrefWith(path: string, params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

/** An ordinary link (opens in a new tab with a modifier key) that navigates in place. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
