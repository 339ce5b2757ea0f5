import { formatNumber } from '../../lib/format.ts';

interface Props {
  page: number;
  limit: number;
  total: number;
  shown: number;
  onPage: (page: number) => void;
}

export function Pagination({ page, limit, total, shown, onPage }: Props) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  return (
    <nav className="pagination" aria-label="Pages">
      <span>
        {formatNumber(first)}–{formatNumber(first + Math.max(shown, 1) - 1)} of {formatNumber(total)} · page {page} of {pages}
      </span>
      <button type="button" className="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        ← Previous
      </button>
      <button type="button" className="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        Next →
      </button>
    </nav>
  );
}
