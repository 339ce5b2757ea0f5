import type { JobStatsReport } from '@scrape-jobs/domain';
import { StatusBadge } from '../../components/status-badge.tsx';
import { formatDateTime, formatNumber, formatSeconds, humanize } from '../../lib/format.ts';
import { Link } from '../../router.tsx';

/** For one domain: what to change (recommendations) and its recent jobs. */
export function DomainView({ report }: { report: JobStatsReport }) {
  const recommendations = report.recommendations ?? [];
  const history = report.jobHistory ?? [];
  return (
    <div className="card-grid card-grid-2">
      <section className="card" aria-labelledby="recommendations-title">
        <h2 id="recommendations-title">Recommendations for {report.domain}</h2>
        {recommendations.length === 0 ? (
          <p className="muted">Nothing to recommend: no measured figure for this domain calls for a change.</p>
        ) : (
          <ul className="recommendations">
            {recommendations.map((r) => (
              <li key={`${r.type}-${r.message}`} className={`recommendation priority-${r.priority}`}>
                <span className="badge">{r.priority}</span> <strong>{r.type}</strong>: {r.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="domain-history-title">
        <h2 id="domain-history-title">Job history</h2>
        {history.length === 0 ? (
          <p className="muted">No jobs for this domain.</p>
        ) : (
          <div className="table-scroll">
            <table className="compact-table" data-testid="domain-history">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                  <th scope="col">Type</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Pages</th>
                  <th scope="col">Extracted</th>
                </tr>
              </thead>
              <tbody>
                {history.map((job) => (
                  <tr key={job.id}>
                    <td>
                      <Link href={`/jobs/${job.id}`}>{formatDateTime(job.created_at)}</Link>
                    </td>
                    <td>
                      <StatusBadge status={job.status} />
                    </td>
                    <td>{humanize(job.job_type)}</td>
                    <td>{formatSeconds(job.duration)}</td>
                    <td className="numeric">{formatNumber(job.pagesProcessed)}</td>
                    <td>
                      {Object.entries(job.dataExtracted)
                        .map(([k, v]) => `${k} ${formatNumber(v)}`)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
