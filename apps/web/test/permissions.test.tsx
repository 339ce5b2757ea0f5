// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, test } from 'vitest';
import { App } from '../src/app.tsx';
import { KEY_STORAGE_ITEM } from '../src/auth/key-storage.ts';
import { deniedReason } from '../src/auth/permissions.ts';
import { cancelRule, retryRule, withPermission } from '../src/lib/job-actions.ts';
import { aJob, FakeApi } from './fake-api.ts';
import './setup.ts';

const job = aJob({ status: 'failed', retry_count: 1, max_retries: 3 });

function openAs(role: 'viewer' | 'operator', path: string, configure: (api: FakeApi) => void = () => {}) {
  const api = new FakeApi('keys').addKey('sj_key', { name: `a ${role}`, role, tenantId: null });
  api.jobs = [job];
  configure(api);
  sessionStorage.setItem(KEY_STORAGE_ITEM, 'sj_key');
  window.history.pushState(null, '', path);
  render(<App links={api.links} />);
  return { api, user: userEvent.setup() };
}

const writes = (api: FakeApi) => api.calls.filter((c) => ['scrapeJobs.cancel', 'scrapeJobs.retry', 'scrapeJobs.create'].includes(c.path));

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

describe('the rules', () => {
  const viewer = { principal: { key_id: 'k', name: 'v', role: 'viewer' as const, tenant_id: null }, permissions: ['jobs:read' as const, 'webhooks:read' as const] };
  test('deniedReason names the role and the missing permission; null when granted', () => {
    expect(deniedReason(viewer, 'jobs:write', 'create jobs')).toBe('A viewer key cannot create jobs (it needs jobs:write)');
    expect(deniedReason(viewer, 'jobs:read', 'read jobs')).toBeNull();
  });
  test('withPermission disables an action the job allows; one the job forbids stays hidden', () => {
    expect(withPermission(retryRule(job), 'no')).toEqual({ visible: true, enabled: false, reason: 'no' });
    expect(withPermission(retryRule({ ...job, status: 'completed' }), 'no').visible).toBe(false);
    expect(withPermission(cancelRule(job), null)).toEqual(cancelRule(job));
  });
});

describe('a viewer key', () => {
  test('job detail: cancel and retry are there but disabled, saying why; nothing is sent', async () => {
    const { api, user } = openAs('viewer', `/jobs/${job.id}`);
    const cancel = await screen.findByRole('button', { name: 'Cancel job…' });
    const retry = screen.getByRole('button', { name: 'Retry' });
    expect(cancel).toBeDisabled();
    expect(cancel).toHaveAttribute('title', 'A viewer key cannot cancel jobs (it needs jobs:write)');
    expect(cancel).toHaveAccessibleDescription('Cancel unavailable: A viewer key cannot cancel jobs (it needs jobs:write)');
    expect(retry).toBeDisabled();
    expect(retry).toHaveAttribute('title', 'A viewer key cannot retry jobs (it needs jobs:write)');
    await user.click(retry);
    await user.click(cancel);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(writes(api)).toEqual([]);
  });

  test('jobs list: the jobs are shown, “New job” is gone from the menu and the button is disabled with the reason', async () => {
    openAs('viewer', '/');
    expect(await screen.findByRole('link', { name: 'example.com' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New job' })).toBeNull();
    const create = screen.getByRole('button', { name: '+ New job' });
    expect(create).toBeDisabled();
    expect(create).toHaveAttribute('title', 'A viewer key cannot create jobs (it needs jobs:write)');
  });

  test('the create page itself says why instead of offering the form', async () => {
    const { api } = openAs('viewer', '/new');
    expect(await screen.findByTestId('create-denied')).toHaveTextContent('A viewer key cannot create jobs (it needs jobs:write).');
    expect(screen.queryByRole('button', { name: 'Create job' })).toBeNull();
    expect(writes(api)).toEqual([]);
  });
});

describe('an operator key', () => {
  test('may retry, and the call goes out with its key', async () => {
    const { api, user } = openAs('operator', `/jobs/${job.id}`);
    const retry = await screen.findByRole('button', { name: 'Retry (attempt 2/3)' });
    expect(retry).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Cancel job…' })).toBeEnabled();
    await user.click(retry);
    await waitFor(() => expect(writes(api)).toEqual([{ path: 'scrapeJobs.retry', key: 'sj_key' }]));
    expect(await screen.findByText('Job scheduled for retry (attempt 2/3)')).toBeInTheDocument();
  });

  test('may create: the menu and the form are there', async () => {
    openAs('operator', '/new');
    expect(await screen.findByRole('button', { name: 'Create job' })).toBeEnabled();
    expect(screen.getByRole('link', { name: 'New job' })).toHaveAttribute('aria-current', 'page');
  });

  test('a FORBIDDEN answer shows the server’s sentence, and the session stays', async () => {
    const { user } = openAs('operator', `/jobs/${job.id}`, (api) => (api.refuseWrites = true));
    await user.click(await screen.findByRole('button', { name: 'Cancel job…' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel job' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Forbidden: a operator key cannot do this');
    expect(screen.getByTestId('identity')).toHaveTextContent('a operator operator');
    expect(sessionStorage.getItem(KEY_STORAGE_ITEM)).toBe('sj_key');
  });
});

describe('a key without jobs:read', () => {
  test('the pages show the server’s refusal; no change stream is opened', async () => {
    const api = new FakeApi('keys').addKey('sj_key', { name: 'queue only', role: 'worker', tenantId: null }, ['queue:work']);
    sessionStorage.setItem(KEY_STORAGE_ITEM, 'sj_key');
    window.history.pushState(null, '', '/');
    render(<App links={api.links} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the jobs: Forbidden: a worker key cannot do this');
    expect(api.keysSentTo('scrapeJobs.onChange')).toEqual([]);
    expect(screen.getByTestId('identity')).toHaveTextContent('queue only worker');
  });
});
