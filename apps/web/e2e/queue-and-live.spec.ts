import { expect, LONG_CRAWL, site, snap, test } from './fixtures.ts';

test('queue: the running job with its worker, claim age and expiry; pending depth by priority', async ({ page, api }, testInfo) => {
  const running = await api.createJob({ domain: site.domain, config: LONG_CRAWL });
  await api.waitFor(running, (job) => job.status === 'running');
  const waiting = await api.createJob({ domain: site.altDomain, priority: 8, config: LONG_CRAWL });

  await page.goto('/queue');
  const row = page.locator(`.queue-table tr[data-job-id="${running}"]`);
  await expect(row).toBeVisible();
  await expect(row.locator('.cell-worker')).toHaveText('e2e-worker');
  await expect(row).toHaveAttribute('data-health', 'ok');
  await expect(row).toContainText('heartbeat ok');
  await expect(row).toContainText(/in \d+ min/);
  await expect(page.getByRole('list', { name: 'Pending jobs by priority' }).locator('li', { hasText: 'priority 8' })).toContainText('1');
  await expect(page.getByTestId('next-job')).toContainText(`${site.altDomain} (priority 8`);
  await expect(page.locator('.workers')).toContainText('e2e-worker: 1 job');
  await snap(page, testInfo, 'queue');
  await api.cancel(waiting);
  await api.cancel(running);
  await expect(page.locator('.queue-table')).toHaveCount(0);
  await expect(page.getByText('No job is running.')).toBeVisible();
});

test('live: the page says when the stream is down, polls meanwhile, and goes live again', async ({ page, api }, testInfo) => {
  await page.route('**/trpc/scrapeJobs.onChange**', (route) => route.abort());
  await page.goto('/');
  const indicator = page.getByTestId('live-indicator');
  await expect(indicator).toHaveText(/Reconnecting — polling/);
  // Still up to date, by polling.
  const id = await api.createJob({ domain: site.domain, job_type: 'single_page', config: { delay: 0 } });
  await expect(page.locator(`tr[data-job-id="${id}"]`)).toBeVisible();
  await snap(page, testInfo, 'live-reconnecting');

  await page.unroute('**/trpc/scrapeJobs.onChange**');
  await expect(indicator).toHaveText('Live', { timeout: 30_000 });
  await expect(indicator).toHaveAttribute('data-state', 'live');
});
