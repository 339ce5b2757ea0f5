import type { ReactNode } from 'react';
import { LiveIndicator } from '../live-updates.tsx';
import { Link, type Route } from '../router.tsx';

const NAV: Array<{ href: string; label: string; pages: Route['page'][] }> = [
  { href: '/', label: 'Jobs', pages: ['jobs', 'job'] },
  { href: '/new', label: 'New job', pages: ['create'] },
  { href: '/stats', label: 'Statistics', pages: ['stats'] },
  { href: '/queue', label: 'Queue', pages: ['queue'] },
];

export function Layout({ route, children }: { route: Route; children: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Scrape Jobs
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LiveIndicator />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
