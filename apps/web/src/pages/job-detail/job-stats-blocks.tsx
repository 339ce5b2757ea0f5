import type { JobStats } from '@scrape-jobs/domain';
import { formatBytes, formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';

function Figures({ title, rows, empty }: { title: string; rows: Array<[string, string]>; empty: string }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <dl className="figures">
          {rows.map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** Extracted counts, the e-commerce block and the request figures from the job's stats. */
export function JobStatsBlocks({ stats }: { stats: JobStats }) {
  const extracted = Object.entries(stats.dataExtracted ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number');
  const products = stats.products;
  const inventory = stats.inventory;
  const commerce: Array<[string, string]> = [];
  if (products) {
    if (products.total !== undefined) commerce.push(['Products', formatNumber(products.total)]);
    if (products.inStock !== undefined) commerce.push(['In stock', formatNumber(products.inStock)]);
    if (products.outOfStock !== undefined) commerce.push(['Out of stock', formatNumber(products.outOfStock)]);
    if (products.priceRange) {
      const { min, max, average } = products.priceRange;
      commerce.push(['Price range', `${formatNumber(min, 2)} – ${formatNumber(max, 2)} (average ${formatNumber(average, 2)})`]);
    }
    if (products.categories?.length) commerce.push(['Categories', products.categories.join(', ')]);
  }
  if (inventory) {
    for (const [key, label] of [['tracked', 'Tracked'], ['updated', 'Updated'], ['new', 'New'], ['discontinued', 'Discontinued']] as const) {
      if (inventory[key] !== undefined) commerce.push([`Inventory ${label.toLowerCase()}`, formatNumber(inventory[key])]);
    }
  }
  const ok = stats.successfulRequests;
  const failed = stats.failedRequests;
  const requests: Array<[string, string]> = [];
  if (ok !== undefined) requests.push(['Successful', formatNumber(ok)]);
  if (failed !== undefined) requests.push(['Failed', formatNumber(failed)]);
  if (ok !== undefined && failed !== undefined && ok + failed > 0) requests.push(['Success rate', formatPercent((ok / (ok + failed)) * 100)]);
  if (stats.avgResponseTime !== undefined) requests.push(['Avg response time', formatDuration(stats.avgResponseTime)]);
  if (stats.bytesDownloaded !== undefined) requests.push(['Downloaded', formatBytes(stats.bytesDownloaded)]);
  if (stats.totalProcessingTime !== undefined) requests.push(['Processing time', formatDuration(stats.totalProcessingTime)]);
  const perf = stats.performance;
  if (perf?.memoryUsage) requests.push(['Memory', perf.memoryUsage]);
  if (perf?.cpuUsage !== undefined) requests.push(['CPU', `${formatNumber(perf.cpuUsage, 1)}%`]);
  if (perf?.networkLatency !== undefined) requests.push(['Network latency', formatDuration(perf.networkLatency)]);

  return (
    <div className="card-grid">
      <Figures title="Extracted data" rows={extracted.map(([k, v]) => [k, formatNumber(v)])} empty="Nothing extracted yet." />
      <Figures title="E-commerce" rows={commerce} empty="No product data." />
      <Figures title="Requests" rows={requests} empty="No requests reported yet." />
    </div>
  );
}
