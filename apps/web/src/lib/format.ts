/** Display helpers. Dates are shown in the viewer's locale; numbers in English grouping. */

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "850 ms", "3.2 s", "4 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

export const formatSeconds = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? '—' : formatDuration(seconds * 1000);

/** "just now", "12 s ago", "in 4 min". */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  if (Math.abs(diff) < 1500) return 'just now';
  const text = formatDuration(Math.abs(diff)).replace(/\.\d s$/, ' s');
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export const formatPercent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${formatNumber(value, 1)}%`;

/** How long the job ran: started → completed, or → now while it runs. */
export function jobDurationMs(job: { started_at: string | null; completed_at: string | null }, now: number): number | null {
  if (!job.started_at) return null;
  const end = job.completed_at ? Date.parse(job.completed_at) : now;
  return Math.max(0, end - Date.parse(job.started_at));
}

export const humanize = (value: string) => value.replace(/_/g, ' ');
