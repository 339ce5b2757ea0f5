import type { JobStats } from '@scrape-jobs/domain';
import { formatDateTime } from '../../lib/format.ts';

/** The URLs that failed during the crawl (stats.errors), newest last. */
export function JobErrors({ errors }: { errors: JobStats['errors'] }) {
  return (
    <section className="card" aria-labelledby="errors-title">
      <h2 id="errors-title">Errors {errors?.length ? `(${errors.length})` : ''}</h2>
      {!errors?.length ? (
        <p className="muted">No page errors.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Error</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e, i) => (
                <tr key={`${e.url}-${i}`}>
                  <td className="cell-url">{e.url}</td>
                  <td>{e.error}</td>
                  <td>{formatDateTime(e.timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
