import { keepPreviousData } from '@tanstack/react-query';
import { useState } from 'react';
import { Empty, ErrorNotice, Loading } from '../../components/states.tsx';
import { formatBytes, formatDateTime, formatDuration, formatNumber } from '../../lib/format.ts';
import { useRefetchInterval } from '../../live-updates.tsx';
import { trpc } from '../../trpc.ts';

const PAGE_SIZE = 25;

/** The pages the worker fetched for this job, in fetch order. */
export function PageResults({ id }: { id: string }) {
  const [offset, setOffset] = useState(0);
  const refetchInterval = useRefetchInterval();
  const results = trpc.scrapeJobs.results.useQuery({ id, limit: PAGE_SIZE, offset }, { refetchInterval, placeholderData: keepPreviousData });
  const total = results.data?.pagination.total ?? 0;
  return (
    <section className="card card-wide" aria-labelledby="pages-title">
      <h2 id="pages-title">Pages {results.data ? `(${formatNumber(total)})` : ''}</h2>
      {results.isPending ? (
        <Loading what="the pages" />
      ) : results.isError ? (
        <ErrorNotice error={results.error} what="the pages" />
      ) : results.data.pages.length === 0 ? (
        <Empty>No pages fetched yet.</Empty>
      ) : (
        <>
          <div className="table-scroll">
            <table className="pages-table">
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">HTTP</th>
                  <th scope="col">Title</th>
                  <th scope="col">Depth</th>
                  <th scope="col">Products</th>
                  <th scope="col">Images</th>
                  <th scope="col">Links</th>
                  <th scope="col">Size</th>
                  <th scope="col">Time</th>
                  <th scope="col">Error</th>
                  <th scope="col">Fetched</th>
                </tr>
              </thead>
              <tbody>
                {results.data.pages.map((page) => (
                  <tr key={page.url}>
                    <td className="cell-url">{page.url}</td>
                    <td className={`numeric ${page.status && page.status >= 400 ? 'text-bad' : ''}`}>{page.status ?? '—'}</td>
                    <td>{page.title ?? '—'}</td>
                    <td className="numeric">{page.depth}</td>
                    <td className="numeric">{page.products.length}</td>
                    <td className="numeric">{page.images}</td>
                    <td className="numeric">{page.links}</td>
                    <td className="numeric">{formatBytes(page.bytes)}</td>
                    <td className="numeric">{formatDuration(page.response_time_ms)}</td>
                    <td className="text-bad">{page.error ?? ''}</td>
                    <td>{formatDateTime(page.fetched_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > PAGE_SIZE && (
            <nav className="pagination" aria-label="Result pages">
              <span>
                {offset + 1}–{Math.min(offset + PAGE_SIZE, total)} of {total}
              </span>
              <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                ← Previous
              </button>
              <button type="button" className="button" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                Next →
              </button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
