import { expect, LONG_CRAWL, site, snap, test } from './fixtures.ts';

const status = (page: import('@playwright/test').Page) => page.locator('#job-title .badge');
const pagesDone = (text: string | null) => Number(/\((\d+) \/ \d+ pages\)|^(\d+) pages?/.exec(text ?? '')?.slice(1).find(Boolean) ?? NaN);

test('create a job in the form → pending → running with progress moving → completed with the extracted counts', async ({ page, api }, testInfo) => {
  // A long job takes the worker's only slot, so the new one visibly waits in pending.
  const blocker = await api.createJob({ domain: site.altDomain, config: LONG_CRAWL });
  await api.waitFor(blocker, (job) => job.status === 'running');

  await page.goto('/new');
  await expect(page.getByRole('heading', { name: 'New scrape job' })).toBeVisible();
  await expect(page.getByLabel('Max pages')).toHaveValue('100');
  await page.getByLabel('Domain', { exact: true }).fill(site.domain);
  await page.getByLabel('Priority').fill('7');
  await page.getByLabel('Depth').fill('2');
  await page.getByLabel('Max pages').fill('12');
  await page.getByLabel('Delay (ms)').fill('250');
  await page.getByLabel('Metadata (JSON object)').fill('{"requestedBy": "e2e"}');
  await snap(page, testInfo, 'create-form');
  await page.getByRole('button', { name: 'Create job' }).click();

  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { name: new RegExp(site.domain) })).toBeVisible();
  await expect(status(page)).toHaveText('pending');
  await expect(page.getByTestId('timeline')).toContainText('Created');
  await snap(page, testInfo, 'job-detail-pending');

  // Free the worker: the job is claimed and crawls; the bar moves while it runs.
  await api.cancel(blocker);
  await expect(status(page)).toHaveText('running');
  const bar = page.getByRole('progressbar', { name: 'Progress' });
  await expect
    .poll(async () => {
      const done = pagesDone(await bar.getAttribute('aria-valuetext'));
      return (await status(page).textContent()) === 'running' && done > 0 && done < 12;
    }, { intervals: [100], timeout: 20_000, message: 'progress visible mid-crawl' })
    .toBe(true);
  await expect(page.getByTestId('job-summary')).toContainText('e2e-worker');
  await snap(page, testInfo, 'job-detail-running');

  await expect(status(page)).toHaveText('completed', { timeout: 60_000 });
  const job = await api.getJob(id);
  expect(job.stats.pagesProcessed).toBe(12);
  await expect(bar).toHaveAttribute('aria-valuetext', /^100% \(12 \/ 12 pages\)$/);
  const extracted = page.getByRole('region', { name: 'Extracted data' });
  for (const [key, value] of Object.entries(job.stats.dataExtracted ?? {})) {
    await expect(extracted.locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${key}$`) }) }).locator('dd')).toHaveText(String(value));
  }
  expect(job.stats.dataExtracted?.products).toBeGreaterThan(0);
  const requests = page.getByRole('region', { name: 'Requests' });
  await expect(requests).toContainText(`Successful${job.stats.successfulRequests}`);
  const timeline = page.getByTestId('timeline').locator('li');
  await expect(timeline).toHaveCount(3);
  await expect(timeline.nth(1)).toContainText('by worker:e2e-worker');
  await expect(timeline.nth(2).locator('.badge').last()).toHaveText('completed');
  await expect(page.locator('#pages-title')).toHaveText('Pages (12)');
  await expect(page.locator('.json[aria-label="metadata"]')).toContainText('"requestedBy": "e2e"');
  await expect(page.getByRole('button', { name: /cancel job/i })).toHaveCount(0);
  await snap(page, testInfo, 'job-detail-completed');
});

test('the create form shows the server’s duplicate-domain conflict next to the domain', async ({ page, api }, testInfo) => {
  const running = await api.createJob({ domain: site.domain, config: LONG_CRAWL });
  await api.waitFor(running, (job) => job.status === 'running');
  await page.goto('/new');
  await page.getByLabel('Domain', { exact: true }).fill(site.domain);
  await page.getByRole('button', { name: 'Create job' }).click();
  const domain = page.getByLabel('Domain', { exact: true });
  await expect(domain).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('[data-field="domain"] .field-error')).toHaveText(`A running job already exists for domain: ${site.domain}`);
  await expect(page).toHaveURL(/\/new$/);
  await snap(page, testInfo, 'create-form-conflict');
  // Client-side validation uses the same schema: no request for a bad maxPages.
  await page.getByLabel('Max pages').fill('0');
  await page.getByRole('button', { name: 'Create job' }).click();
  await expect(page.locator('[data-field="config.maxPages"] .field-error')).toHaveText('maxPages must be a positive number');
  await snap(page, testInfo, 'create-form-errors');
});

test('cancel a running job with a reason → it shows cancelled and the reason', async ({ page, api }, testInfo) => {
  const id = await api.createJob({ domain: site.domain, config: LONG_CRAWL });
  await page.goto(`/jobs/${id}`);
  await expect(status(page)).toHaveText('running');
  await expect.poll(async () => pagesDone(await page.getByRole('progressbar', { name: 'Progress' }).getAttribute('aria-valuetext'))).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Cancel job…' }).click();
  const dialog = page.getByRole('dialog', { name: `Cancel the job for ${site.domain}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('textbox', { name: /reason/i }).fill('Operator stopped it');
  await snap(page, testInfo, 'cancel-dialog');
  await dialog.getByRole('button', { name: 'Cancel job', exact: true }).click();

  await expect(dialog).toBeHidden();
  await expect(status(page)).toHaveText('cancelled');
  await expect(page.getByTestId('job-error-message')).toHaveText('Reason: Cancelled via API: Operator stopped it');
  const last = page.getByTestId('timeline').locator('li[data-action="cancelled"]');
  await expect(last).toContainText('Cancelled via API: Operator stopped it');
  await expect(last.locator('.badge').last()).toHaveText('cancelled');
  await expect(page.getByRole('button', { name: /cancel job|retry/i })).toHaveCount(0);
  const job = await api.getJob(id);
  expect(job).toMatchObject({ status: 'cancelled', error_message: 'Cancelled via API: Operator stopped it' });
  await snap(page, testInfo, 'job-detail-cancelled');
});

test('a failed job is retried from the UI; with no retries left the button says why', async ({ page, api }, testInfo) => {
  const failing = { domain: site.domain, job_type: 'single_page', config: { startUrl: `${site.url}/rate-limited`, retryOnFailure: false, delay: 0 } };
  const id = await api.createJob(failing);
  await page.goto(`/jobs/${id}`);
  await expect(status(page)).toHaveText('failed');
  await expect(page.getByTestId('job-error-message')).toContainText('429');
  const retry = page.getByRole('button', { name: 'Retry (attempt 1/3)' });
  await expect(retry).toBeEnabled();
  await snap(page, testInfo, 'job-detail-failed');
  await retry.click();

  await expect(page.getByRole('status').filter({ hasText: 'Job scheduled for retry (attempt 1/3)' })).toBeVisible();
  // The retry runs (pending → running) and fails the same way again.
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toContainText('Retried from the dashboard');
  await expect(timeline.locator('li')).toHaveCount(6);
  await expect(status(page)).toHaveText('failed');
  await expect(page.getByTestId('job-summary')).toContainText('1 / 3');
  const moves = (await api.history(id)).map((h) => `${h.from_status}→${h.to_status}`);
  expect(moves).toEqual(['null→pending', 'pending→running', 'running→failed', 'failed→pending', 'pending→running', 'running→failed']);
  await expect(page.getByRole('button', { name: 'Retry (attempt 2/3)' })).toBeEnabled();

  const exhausted = await api.createJob({ ...failing, max_retries: 0 });
  await page.goto(`/jobs/${exhausted}`);
  await expect(status(page)).toHaveText('failed');
  const disabled = page.getByRole('button', { name: /^Retry/ });
  await expect(disabled).toBeDisabled();
  await expect(page.getByText('Retry unavailable: max retries reached 0/0')).toBeVisible();
  await snap(page, testInfo, 'job-detail-retry-disabled');
});
