import { useEffect } from 'react';
import { IdentityGate } from './auth/identity.tsx';
import { IdentityScope } from './auth/identity-scope.tsx';
import { SessionProvider } from './auth/session.tsx';
import { Layout } from './components/layout.tsx';
import { LiveUpdates } from './live-updates.tsx';
import { CreateJobPage } from './pages/create/create-job-page.tsx';
import { JobDetailPage } from './pages/job-detail/job-detail-page.tsx';
import { JobsPage } from './pages/jobs/jobs-page.tsx';
import { QueuePage } from './pages/queue/queue-page.tsx';
import { StatsPage } from './pages/stats/stats-page.tsx';
import { Link, useLocation, type Route } from './router.tsx';
import { httpLinks, type LinksFactory } from './trpc.ts';

const TITLES: Record<Route['page'], string> = {
  jobs: 'Jobs',
  job: 'Job',
  create: 'New job',
  stats: 'Statistics',
  queue: 'Queue',
  'not-found': 'Not found',
};

function Page() {
  const { route, search } = useLocation();
  useEffect(() => {
    document.title = `${TITLES[route.page]} · Scrape Jobs`;
  }, [route.page]);
  let content;
  switch (route.page) {
    case 'jobs':
      content = <JobsPage search={search} />;
      break;
    case 'job':
      content = <JobDetailPage key={route.id} id={route.id} />;
      break;
    case 'create':
      content = <CreateJobPage />;
      break;
    case 'stats':
      content = <StatsPage search={search} />;
      break;
    case 'queue':
      content = <QueuePage />;
      break;
    default:
      content = (
        <div className="state">
          <h1>Page not found</h1>
          <p>
            Nothing lives at {route.path}. <Link href="/">Go to the jobs</Link>.
          </p>
        </div>
      );
  }
  return <Layout route={route}>{content}</Layout>;
}

/** `links`: how calls reach the server (the server's /trpc by default; tests pass their own). */
export function App({ links = httpLinks() }: { links?: LinksFactory }) {
  return (
    <SessionProvider>
      <IdentityScope links={links}>
        <IdentityGate>
          <LiveUpdates>
            <Page />
          </LiveUpdates>
        </IdentityGate>
      </IdentityScope>
    </SessionProvider>
  );
}
