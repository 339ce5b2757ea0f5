import type { JobStatsReport } from '@scrape-jobs/domain';
import { BarList } from '../../components/charts.tsx';
import { formatNumber, formatPercent } from '../../lib/format.ts';
import { hrefWith, Link } from '../../router.tsx';

/** The most common error messages and the domains that fail most. */
export function ErrorAnalysis({ report }: { report: JobStatsReport }) {
  const { commonErrors, errorsByDomain } = report.errorAnalysis;
  return (
    <div className="card-grid card-grid-2">
      <section className="card" aria-labelledby="common-errors-title">
        <h2 id="common-errors-title">Common errors</h2>
        {commonErrors.length === 0 ? (
          <p className="muted">No failed jobs.</p>
        ) : (
          <BarList
            label="Failures by error"
            items={commonErrors.map((e) => ({ label: e.error, value: e.count, tone: 'failed' }))}
            format={(v) => `${formatNumber(v)} (${formatPercent(commonErrors.find((e) => e.count === v)?.percentage)})`}
          />
        )}
      </section>
      <section className="card" aria-labelledby="errors-by-domain-title">
        <h2 id="errors-by-domain-title">Errors by domain</h2>
        {errorsByDomain.length === 0 ? (
          <p className="muted">No domain has failed jobs.</p>
        ) : (
          <table className="compact-table">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col" className="numeric">Failed</th>
                <th scope="col" className="numeric">Jobs</th>
                <th scope="col" className="numeric">Error rate</th>
              </tr>
            </thead>
            <tbody>
              {errorsByDomain.map((d) => (
                <tr key={d.domain}>
                  <th scope="row">
                    <Link href={hrefWith('/stats', { domain: d.domain })}>{d.domain}</Link>
                  </th>
                  <td className="numeric">{formatNumber(d.errorCount)}</td>
                  <td className="numeric">{formatNumber(d.totalJobs)}</td>
                  <td className="numeric">{formatPercent(d.errorRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
