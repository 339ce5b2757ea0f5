import { useEffect, useState } from 'react';
import { ErrorNotice, Loading } from '../../components/states.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { hrefWith, Link, navigate } from '../../router.tsx';
import { trpc } from '../../trpc.ts';
import { DomainView } from './domain-view.tsx';
import { ErrorAnalysis } from './error-analysis.tsx';
import { OverviewCards } from './overview-cards.tsx';
import { StatsCharts } from './stats-charts.tsx';
import { ThroughputChart } from './throughput-chart.tsx';

/** `scrapeJobs.stats` for all domains or one (?domain=), as cards, charts and tables. */
export function StatsPage({ search }: { search: URLSearchParams }) {
  const domain = (search.get('domain') ?? '').trim().toLowerCase();
  const [draft, setDraft] = useState(domain);
  useEffect(() => setDraft(domain), [domain]);
  const refetchInterval = useRefetchInterval();
  const now = useNow(60_000);
  const stats = trpc.scrapeJobs.stats.useQuery(domain ? { domain } : undefined, { refetchInterval });
  const recent = trpc.scrapeJobs.list.useQuery({ limit: 200, order_by: 'updated_at' }, { staleTime: 30_000 });
  const domains = [...new Set((recent.data?.jobs ?? []).map((j) => j.domain))].sort();

  return (
    <section aria-labelledby="stats-title">
      <div className="page-head">
        <h1 id="stats-title">Statistics {domain ? `for ${domain}` : 'for all domains'}</h1>
        <form
          className="inline-form"
          role="search"
          aria-label="Statistics for one domain"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(hrefWith('/stats', { domain: draft.trim().toLowerCase() }));
          }}
        >
          <label className="field">
            <span>Domain</span>
            <input type="search" name="domain" list="stats-domains" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="all domains" />
            <datalist id="stats-domains">
              {domains.map((d) => (
                <option key={d} value={d} />
              ))}
            </datalist>
          </label>
          <button type="submit" className="button">
            Show
          </button>
          {domain && (
            <button type="button" className="button button-quiet" onClick={() => navigate('/stats')}>
              All domains
            </button>
          )}
        </form>
      </div>
      {domains.length > 0 && (
        <nav className="domain-chips" aria-label="Recent domains">
          <span className="muted">Recent domains:</span>
          {domains.slice(0, 12).map((d) => (
            <Link key={d} href={hrefWith('/stats', { domain: d })} aria-current={d === domain ? 'page' : undefined} className="chip">
              {d}
            </Link>
          ))}
        </nav>
      )}
      {stats.isPending ? (
        <Loading what="statistics" />
      ) : stats.isError ? (
        <ErrorNotice error={stats.error} what="statistics" onRetry={() => void stats.refetch()} />
      ) : (
        <>
          <p className="muted">Computed from stored jobs at {formatDateTime(stats.data.timestamp)}.</p>
          {stats.data.overview.totalJobs === 0 && <p className="state state-empty">No jobs {domain ? `for ${domain}` : 'yet'}: every figure is 0.</p>}
          <OverviewCards report={stats.data} />
          <StatsCharts report={stats.data} />
          <ThroughputChart domain={domain} now={now} />
          <ErrorAnalysis report={stats.data} />
          {domain && <DomainView report={stats.data} />}
        </>
      )}
    </section>
  );
}
