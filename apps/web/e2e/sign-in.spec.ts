/**
 * Signing in against a server in AUTH_MODE=keys (a second built server, see keys-server.ts)
 * with keys made by the server's CLI: a wrong key is refused with the server's sentence, a
 * viewer sees the jobs but is offered no writes, an operator creates a job, signing out
 * brings the form back, a key revoked mid-session (by an admin, through /api/keys) brings
 * it back with the reason. The open-mode server of the other specs is not used here.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, site, snap, test } from './fixtures.ts';
import { startKeysServer, type KeysServer } from './keys-server.ts';

test.describe.configure({ mode: 'serial' });

let server: KeysServer;
test.beforeAll(async () => {
  server = await startKeysServer();
});
test.afterAll(async () => {
  await server?.stop();
});

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

async function signIn(page: Page, key: string, { remember = false } = {}) {
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('API key').fill(key);
  if (remember) await page.getByLabel('Remember on this device').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const storedKeys = (page: Page) => page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length }));

async function createJobAs(request: APIRequestContext, key: string, domain: string): Promise<string> {
  const response = await request.post(`${server.url}/api/scrape-jobs`, { headers: bearer(key), data: { domain } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).data.id as string;
}

test('without a key the dashboard asks for one; a wrong key shows the server’s sentence and is not kept', async ({ page, request }, testInfo) => {
  // The API itself refuses a call without a key.
  expect((await request.get(`${server.url}/api/scrape-jobs`)).status()).toBe(401);

  await page.goto(`${server.url}/`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('API key')).toHaveAttribute('type', 'password');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await signIn(page, 'sj_this_is_not_a_key');
  await expect(page.getByRole('alert')).toHaveText('Invalid API key');
  await expect(page.getByLabel('API key')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  expect(await storedKeys(page)).toEqual({ session: 0, local: 0 });
  await snap(page, testInfo, 'sign-in-wrong-key');
});

test('a viewer key sees the jobs, live, but is offered no create, cancel or retry', async ({ page, request }, testInfo) => {
  const id = await createJobAs(request, server.keys.operator.key, site.domain);

  await page.goto(`${server.url}/`);
  await signIn(page, server.keys.viewer.key);
  const identity = page.getByTestId('identity');
  await expect(identity).toContainText('e2e viewer');
  await expect(identity).toContainText('viewer');
  await expect(identity.getByRole('button', { name: 'Sign out' })).toBeVisible();
  // The change stream is open with the key (connectionParams), not only the queries.
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
  expect(await storedKeys(page)).toEqual({ session: 1, local: 0 });

  const row = page.locator(`tr[data-job-id="${id}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'pending');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New job' })).toHaveCount(0);
  const create = page.getByRole('button', { name: '+ New job' });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAttribute('title', 'A viewer key cannot create jobs (it needs jobs:write)');
  await snap(page, testInfo, 'sign-in-viewer-jobs');

  await row.getByRole('link', { name: site.domain }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${id}$`));
  const cancel = page.getByRole('button', { name: 'Cancel job…' });
  await expect(cancel).toBeDisabled();
  await expect(cancel).toHaveAttribute('title', 'A viewer key cannot cancel jobs (it needs jobs:write)');
  await expect(page.getByText('Cancel unavailable: A viewer key cannot cancel jobs (it needs jobs:write)')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Retry/ })).toHaveCount(0);
  await snap(page, testInfo, 'sign-in-viewer-job');

  // A reload in the same tab keeps the session; the create page says why instead of a form.
  await page.goto(`${server.url}/new`);
  await expect(page.getByTestId('create-denied')).toContainText('A viewer key cannot create jobs (it needs jobs:write).');
  await expect(page.getByRole('button', { name: 'Create job' })).toHaveCount(0);
  // What the viewer may not do, the server refuses too.
  const refused = await request.delete(`${server.url}/api/scrape-jobs/${id}`, { headers: bearer(server.keys.viewer.key) });
  expect(refused.status()).toBe(403);
});

test('an operator key creates a job from the form; sign out brings the sign-in form back', async ({ page, request }, testInfo) => {
  await page.goto(`${server.url}/`);
  await signIn(page, server.keys.operator.key, { remember: true });
  await expect(page.getByTestId('identity')).toContainText('e2e operator');
  expect(await storedKeys(page)).toEqual({ session: 0, local: 1 });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New job' }).click();
  await page.getByLabel('Domain', { exact: true }).fill(site.altDomain);
  await page.getByRole('button', { name: 'Create job' }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  await expect(page.locator('#job-title .badge')).toHaveText('pending');
  await expect(page.getByRole('button', { name: 'Cancel job…' })).toBeEnabled();
  const job = await request.get(`${server.url}/api/scrape-jobs/${id}`, { headers: bearer(server.keys.operator.key) });
  expect((await job.json()).data).toMatchObject({ id, domain: site.altDomain, status: 'pending' });
  await snap(page, testInfo, 'sign-in-operator-created');

  await page.getByTestId('identity').getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('sign-in-reason')).toHaveText('You are signed out.');
  expect(await storedKeys(page)).toEqual({ session: 0, local: 0 });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await snap(page, testInfo, 'sign-in-signed-out');
});

test('a tenant-bound key shows its tenant; revoked mid-session, the next call returns to sign-in with the reason', async ({ page, request }, testInfo) => {
  const tenant = '5f0c3a52-8a57-4d43-9a4e-2f6a4c0d7e11';
  const made = await request.post(`${server.url}/api/keys`, { headers: bearer(server.keys.admin.key), data: { name: 'e2e tenant viewer', role: 'viewer', tenant_id: tenant } });
  expect(made.status(), await made.text()).toBe(201);
  const key = (await made.json()).data as { id: string; key: string };

  await page.goto(`${server.url}/`);
  await signIn(page, key.key);
  const identity = page.getByTestId('identity');
  await expect(identity).toContainText('e2e tenant viewer');
  await expect(identity).toContainText(`tenant ${tenant}`);
  await expect(page.getByRole('heading', { name: 'Jobs' })).toBeVisible();
  await snap(page, testInfo, 'sign-in-tenant');

  const revoked = await request.delete(`${server.url}/api/keys/${key.id}`, { headers: bearer(server.keys.admin.key) });
  expect(revoked.status(), await revoked.text()).toBe(200);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('sign-in-reason')).toHaveText('Signed out: the server no longer accepts this key (Invalid API key). Sign in again.');
  expect(await storedKeys(page)).toEqual({ session: 0, local: 0 });
  await snap(page, testInfo, 'sign-in-revoked');
  // Signing in again lands on the page the user was going to.
  await signIn(page, server.keys.viewer.key);
  await expect(page.getByRole('heading', { name: 'Queue' })).toBeVisible();
});
