import type { Permission } from '@scrape-jobs/domain';
import type { ReactNode } from 'react';
import { IdentityMenu } from '../auth/identity-menu.tsx';
import { useIdentity } from '../auth/identity.tsx';
import { useSession } from '../auth/session.tsx';
import { LiveIndicator } from '../live-updates.tsx';
import { Link, type Route } from '../router.tsx';

/** `needs`: the link is left out for keys without that permission (the page would refuse them). */
const NAV: Array<{ href: string; label: string; pages: Route['page'][]; needs?: Permission }> = [
  { href: '/', label: 'Jobs', pages: ['jobs', 'job'] },
  { href: '/new', label: 'New job', pages: ['create'], needs: 'jobs:write' },
  { href: '/stats', label: 'Statistics', pages: ['stats'] },
  { href: '/queue', label: 'Queue', pages: ['queue'] },
];

function SessionNotice() {
  const { notice, dismissNotice } = useSession();
  if (!notice) return null;
  return (
    <p className="notice session-notice" role="status" data-testid="session-notice">
      {notice}{' '}
      <button type="button" className="button button-quiet" onClick={dismissNotice}>
        Dismiss
      </button>
    </p>
  );
}

export function Layout({ route, children }: { route: Route; children: ReactNode }) {
  const { permissions } = useIdentity();
  const nav = NAV.filter((item) => !item.needs || permissions.includes(item.needs));
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
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LiveIndicator />
        <IdentityMenu />
      </header>
      <main id="main" tabIndex={-1}>
        <SessionNotice />
        {children}
      </main>
    </div>
  );
}
