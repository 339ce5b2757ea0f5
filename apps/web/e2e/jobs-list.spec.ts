import { expect, site, snap, test } from './fixtures.ts';

test('filter the list by status, domain and type; the filters live in the URL; rows update live', async ({ page, api }, testInfo) => {
  // Arrange one completed and one failed job on two domains.
  const done = await api.createJob({ domain: site.altDomain, job_type: 'single_page', priority: 3, config: { delay: 0 } });
  const failed = await api.createJob({ domain: site.domain, job_type: 'single_page', priority: 9, config: { startUrl: `${site.url}/rate-limited`, retryOnFailure: false, delay: 0 } });
  await api.waitFor(done, (job) => job.status === 'completed');
  await api.waitFor(failed, (job) => job.status === 'failed');

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Jobs' })).toBeVisible();
  const rows = page.locator('.jobs-table tbody tr');
  await expect(rows.first()).toBeVisible();
  const stats = await api.stats();
  await expect(page.getByTestId('count-failed')).toHaveText(`failed ${stats.statusBreakdown.failed}`);
  await expect(page.getByTestId('count-completed')).toHaveText(`completed ${stats.statusBreakdown.completed}`);
  await snap(page, testInfo, 'jobs-list');

  // Status: failed only.
  await page.getByTestId('count-failed').click();
  await expect(page).toHaveURL(/[?&]status=failed(&|$)/);
  await expect(page.getByTestId('count-failed')).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(stats.statusBreakdown.failed);
  for (const status of await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')))) expect(status).toBe('failed');

  // Several statuses at once.
  await page.getByTestId('count-completed').click();
  await expect(page).toHaveURL(/status=failed%2Ccompleted|status=failed,completed/);
  await expect(rows).toHaveCount(stats.statusBreakdown.failed + stats.statusBreakdown.completed);

  // Domain and job type.
  await page.getByLabel('Domain', { exact: true }).fill(site.altDomain);
  await expect(page).toHaveURL(new RegExp(`domain=${encodeURIComponent(site.altDomain).replace(/[.]/g, '\\.')}`));
  await page.getByLabel('Job type').selectOption('single_page');
  await expect(page).toHaveURL(/job_type=single_page/);
  await expect(page.locator(`tr[data-job-id="${done}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-job-id="${failed}"]`)).toHaveCount(0);
  for (const domain of await page.locator('.jobs-table .cell-domain a').allTextContents()) expect(domain).toBe(site.altDomain);
  await snap(page, testInfo, 'jobs-list-filtered');

  // A shared link (a reload) opens the same view.
  const shared = page.url();
  await page.reload();
  expect(page.url()).toBe(shared);
  await expect(page.getByLabel('Domain', { exact: true })).toHaveValue(site.altDomain);
  await expect(page.getByLabel('Job type')).toHaveValue('single_page');
  await expect(page.locator(`tr[data-job-id="${done}"]`)).toBeVisible();

  // Sorting by a contract field.
  await page.getByRole('button', { name: /^Priority/ }).click();
  await expect(page).toHaveURL(/order_by=priority/);
  await expect(page.getByRole('columnheader', { name: /Priority/ })).toHaveAttribute('aria-sort', 'descending');

  // Clear: everything again, and a new job appears without a reload (the live stream).
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).not.toHaveURL(/status=|domain=|job_type=/);
  const fresh = await api.createJob({ domain: site.altDomain, job_type: 'product_catalog', config: { maxPages: 3, delay: 0 } });
  await expect(page.locator(`tr[data-job-id="${fresh}"]`)).toBeVisible();
  await expect(page.locator(`tr[data-job-id="${fresh}"]`)).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });

  // The domain opens the job.
  await page.locator(`tr[data-job-id="${done}"] .cell-domain a`).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${done}$`));
  await expect(page.locator('#job-title .badge')).toHaveText('completed');
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Jobs' })).toBeVisible();
});

test('a phone-sized screen still shows the list and the filters', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Jobs' })).toBeVisible();
  await expect(page.getByLabel('Domain', { exact: true })).toBeVisible();
  await expect(page.locator('.jobs-table tbody tr').first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'the page itself does not scroll sideways (the table scrolls in its box)').toBeLessThanOrEqual(1);
  await snap(page, testInfo, 'jobs-list-phone');
});
