// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../src/app.tsx';
import { KEY_STORAGE_ITEM } from '../src/auth/key-storage.ts';
import { FakeApi } from './fake-api.ts';
import './setup.ts';

const VIEWER = 'sj_viewer_key';
const OPERATOR = 'sj_operator_key';
const withKeys = (api: FakeApi) =>
  api.addKey(VIEWER, { name: 'e2e viewer', role: 'viewer', tenantId: null }).addKey(OPERATOR, { name: 'ops', role: 'operator', tenantId: 'tenant-7' });

function open(api: FakeApi, path = '/') {
  window.history.pushState(null, '', path);
  const user = userEvent.setup();
  const view = render(<App links={api.links} />);
  return { user, view };
}

const keyField = () => screen.getByLabelText('API key');
const identity = () => screen.getByTestId('identity');

async function signIn(user: ReturnType<typeof userEvent.setup>, key: string, remember = false) {
  await user.type(keyField(), key);
  if (remember) await user.click(screen.getByLabelText('Remember on this device'));
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});
afterEach(() => window.history.pushState(null, '', '/'));

describe('AUTH_MODE=keys: signing in', () => {
  test('without a key the sign-in form is shown, and nothing but whoami is asked', async () => {
    const api = withKeys(new FakeApi('keys'));
    open(api);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(keyField()).toHaveAttribute('type', 'password');
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(new Set(api.calls.map((c) => c.path))).toEqual(new Set(['auth.whoami']));
  });

  test('an empty key is refused in the form; a wrong key shows the server’s sentence and is not kept', async () => {
    const api = withKeys(new FakeApi('keys'));
    const { user } = open(api);
    await screen.findByRole('heading', { name: 'Sign in' });
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter an API key');
    expect(api.keysSentTo('auth.whoami')).toEqual([null]);

    await signIn(user, 'sj_not_a_key');
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid API key');
    expect(keyField()).toHaveAttribute('aria-invalid', 'true');
    expect(keyField()).toHaveAccessibleDescription('Invalid API key');
    expect(api.keysSentTo('auth.whoami')).toEqual([null, 'sj_not_a_key']);
    expect(sessionStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
    expect(localStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });

  test('a good key opens the dashboard, is kept for this tab only, and goes with every call', async () => {
    const api = withKeys(new FakeApi('keys'));
    const { user } = open(api);
    await screen.findByRole('heading', { name: 'Sign in' });
    await signIn(user, ` ${OPERATOR} `);

    expect(await screen.findByRole('heading', { name: 'Jobs' })).toBeInTheDocument();
    expect(identity()).toHaveTextContent('ops operator · tenant tenant-7');
    expect(sessionStorage.getItem(KEY_STORAGE_ITEM)).toBe(OPERATOR);
    expect(localStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
    await waitFor(() => expect(api.keysSentTo('scrapeJobs.list').length).toBeGreaterThan(0));
    const afterSignIn = api.calls.slice(api.calls.findIndex((c) => c.key === OPERATOR));
    expect(afterSignIn.every((c) => c.key === OPERATOR)).toBe(true);
    expect(afterSignIn.map((c) => c.path)).toContain('scrapeJobs.onChange');
  });

  test('“Remember on this device” keeps the key in localStorage: a new page load is signed in', async () => {
    const api = withKeys(new FakeApi('keys'));
    const { user, view } = open(api);
    await screen.findByRole('heading', { name: 'Sign in' });
    await signIn(user, VIEWER, true);
    await screen.findByRole('heading', { name: 'Jobs' });
    expect(localStorage.getItem(KEY_STORAGE_ITEM)).toBe(VIEWER);
    expect(sessionStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();

    view.unmount();
    open(api);
    expect(await screen.findByRole('heading', { name: 'Jobs' })).toBeInTheDocument();
    expect(identity()).toHaveTextContent('e2e viewer viewer');
    expect(screen.queryByLabelText('API key')).toBeNull();
  });

  test('sign out forgets the key and shows the sign-in form again', async () => {
    const api = withKeys(new FakeApi('keys'));
    localStorage.setItem(KEY_STORAGE_ITEM, VIEWER);
    const { user } = open(api);
    await screen.findByRole('heading', { name: 'Jobs' });
    await user.click(within(identity()).getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('sign-in-reason')).toHaveTextContent('You are signed out.');
    expect(localStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
    expect(sessionStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
    expect(api.keysSentTo('auth.whoami').at(-1)).toBeNull();
  });

  test('a key revoked mid-session: the next call brings back the sign-in form with the reason', async () => {
    const api = withKeys(new FakeApi('keys'));
    sessionStorage.setItem(KEY_STORAGE_ITEM, VIEWER);
    const { user } = open(api);
    await screen.findByRole('heading', { name: 'Jobs' });
    api.revoke(VIEWER);
    await user.click(screen.getByRole('link', { name: 'Queue' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('sign-in-reason')).toHaveTextContent('Signed out: the server no longer accepts this key (Invalid API key). Sign in again.');
    expect(sessionStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
    // Signing in again lands on the page the user was going to.
    await signIn(user, OPERATOR);
    expect(await screen.findByRole('heading', { name: 'Queue' })).toBeInTheDocument();
  });

  test('a remembered key the server no longer knows: straight to sign-in with the reason', async () => {
    const api = withKeys(new FakeApi('keys'));
    localStorage.setItem(KEY_STORAGE_ITEM, 'sj_revoked_long_ago');
    open(api);
    expect(await screen.findByTestId('sign-in-reason')).toHaveTextContent('the server no longer accepts this key (Invalid API key)');
    expect(localStorage.getItem(KEY_STORAGE_ITEM)).toBeNull();
  });
});

describe('AUTH_MODE=open', () => {
  test('no sign-in is needed; the header says open access and offers signing in with a key', async () => {
    const api = withKeys(new FakeApi('open'));
    const { user } = open(api);
    expect(await screen.findByRole('heading', { name: 'Jobs' })).toBeInTheDocument();
    expect(identity()).toHaveTextContent('open access');
    expect(screen.getByRole('link', { name: 'New job' })).toBeInTheDocument();

    await user.click(within(identity()).getByRole('button', { name: 'Sign in with a key' }));
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Back to open access' }));
    expect(screen.getByRole('heading', { name: 'Jobs' })).toBeInTheDocument();
  });

  test('signing in with a viewer key applies its role; signing out returns to open access', async () => {
    const api = withKeys(new FakeApi('open'));
    const { user } = open(api);
    await screen.findByRole('heading', { name: 'Jobs' });
    await user.click(within(identity()).getByRole('button', { name: 'Sign in with a key' }));
    await signIn(user, 'sj_wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid API key');
    await user.clear(keyField());
    await signIn(user, VIEWER);

    await waitFor(() => expect(identity()).toHaveTextContent('e2e viewer viewer'));
    expect(screen.queryByRole('link', { name: 'New job' })).toBeNull();
    expect(screen.getByRole('button', { name: '+ New job' })).toBeDisabled();

    await user.click(within(identity()).getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(identity()).toHaveTextContent('open access'));
    expect(screen.getByTestId('session-notice')).toHaveTextContent('You are signed out.');
    expect(screen.getByRole('link', { name: 'New job' })).toBeInTheDocument();
  });

  test('a revoked key in open mode falls back to open access, saying why', async () => {
    const api = withKeys(new FakeApi('open'));
    sessionStorage.setItem(KEY_STORAGE_ITEM, VIEWER);
    const { user } = open(api);
    await waitFor(() => expect(identity()).toHaveTextContent('e2e viewer'));
    api.revoke(VIEWER);
    await user.click(screen.getByRole('link', { name: 'Queue' }));
    await waitFor(() => expect(identity()).toHaveTextContent('open access'));
    expect(screen.getByTestId('session-notice')).toHaveTextContent('the server no longer accepts this key (Invalid API key)');
  });
});

describe('a server that starts wanting a key', () => {
  test('open access, then AUTH_MODE=keys: the next refused call brings the sign-in form', async () => {
    const api = withKeys(new FakeApi('open'));
    const { user } = open(api);
    await waitFor(() => expect(identity()).toHaveTextContent('open access'));
    api.mode = 'keys';
    await user.click(screen.getByRole('link', { name: 'Queue' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Back to open access' })).toBeNull();
  });
});
