import { expect, site, snap, test } from './fixtures.ts';

const percent = (value: number) => `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(value)}%`;
const count = (value: number) => new Intl.NumberFormat('en-US').format(value);

test('statistics: the cards and charts show the API’s numbers, for all domains and for one', async ({ page, api }, testInfo) => {
  // At least one completed and one failed job, and nothing moving while we compare.
  const done = await api.createJob({ domain: site.domain, job_type: 'content_update', config: { maxPages: 4, delay: 0 } });
  const failed = await api.createJob({ domain: site.domain, job_type: 'single_page', config: { startUrl: `${site.url}/rate-limited`, retryOnFailure: false, delay: 0 } });
  await api.waitFor(done, (job) => job.status === 'completed');
  await api.waitFor(failed, (job) => job.status === 'failed');
  await api.cancelActive();

  await page.goto('/stats');
  await expect(page.getByRole('heading', { name: 'Statistics for all domains' })).toBeVisible();
  const all = await api.stats();
  await expect(page.getByTestId('card-total-jobs').locator('.stat-value')).toHaveText(count(all.overview.totalJobs));
  await expect(page.getByTestId('card-success-rate').locator('.stat-value')).toHaveText(percent(all.overview.successRate));
  await expect(page.getByTestId('card-pages-processed').locator('.stat-value')).toHaveText(count(all.performance.totalPagesProcessed));
  await expect(page.getByTestId('card-failed-jobs').locator('.stat-value')).toHaveText(count(all.overview.failedJobs));
  const statusChart = page.getByRole('region', { name: 'Status breakdown' });
  for (const [status, n] of Object.entries(all.statusBreakdown)) await expect(statusChart.getByText(`${status}: ${n}`, { exact: false }).first()).toBeVisible();
  const trends = page.getByRole('region', { name: 'Trends' });
  await expect(trends.getByRole('row', { name: /Last 24 h/ })).toContainText(`${count(all.trends.last24Hours.jobsCreated)}${count(all.trends.last24Hours.jobsCompleted)}${percent(all.trends.last24Hours.successRate)}`);
  const top = all.errorAnalysis.commonErrors[0]!;
  await expect(page.getByRole('list', { name: 'Failures by error' })).toContainText(top.error);
  await expect(page.getByRole('region', { name: 'Throughput' })).not.toContainText('No job finished');
  await snap(page, testInfo, 'statistics');

  // One domain: its numbers, its job history and the recommendations block.
  await page.getByRole('navigation', { name: 'Recent domains' }).getByRole('link', { name: site.domain, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/stats\\?domain=${encodeURIComponent(site.domain)}`));
  await expect(page.getByRole('heading', { name: `Statistics for ${site.domain}` })).toBeVisible();
  const one = await api.stats(site.domain);
  await expect(page.getByTestId('card-total-jobs').locator('.stat-value')).toHaveText(count(one.overview.totalJobs));
  await expect(page.getByTestId('card-success-rate').locator('.stat-value')).toHaveText(percent(one.overview.successRate));
  await expect(page.getByTestId('domain-history').locator('tbody tr')).toHaveCount(one.jobHistory!.length);
  await expect(page.getByRole('heading', { name: `Recommendations for ${site.domain}` })).toBeVisible();
  for (const r of one.recommendations ?? []) await expect(page.getByText(r.message)).toBeVisible();
  await snap(page, testInfo, 'statistics-domain');
});
