// @vitest-environment jsdom
import type { AppRouter } from '@scrape-jobs/api';
import { JOB_STATUSES, type JobStatus, type ScrapeJob } from '@scrape-jobs/domain';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { describe, expect, test } from 'vitest';
import { cancelRule, retryRule } from '../src/lib/job-actions.ts';
import { claimHealth } from '../src/lib/claim-health.ts';
import { JobActions } from '../src/pages/job-detail/job-actions.tsx';
import { trpc } from '../src/trpc.ts';
import './setup.ts';

const job = (status: JobStatus, retry_count = 0, max_retries = 3) => ({ status, retry_count, max_retries });

describe('action rules follow the domain transition table and retry policy', () => {
  test('cancel is offered for pending, running and failed jobs only', () => {
    const offered = JOB_STATUSES.filter((s) => cancelRule(job(s)).visible);
    expect(offered).toEqual(['pending', 'running', 'failed']);
    expect(cancelRule(job('completed'))).toEqual({ visible: false, enabled: false, reason: 'A completed job cannot be cancelled' });
  });
  test('retry is offered for failed jobs only', () => {
    expect(JOB_STATUSES.filter((s) => retryRule(job(s)).visible)).toEqual(['failed']);
    expect(retryRule(job('failed', 1, 3))).toEqual({ visible: true, enabled: true, reason: null });
  });
  test('a failed job with no retries left shows retry disabled, with the reason', () => {
    expect(retryRule(job('failed', 3, 3))).toEqual({ visible: true, enabled: false, reason: 'max retries reached 3/3' });
    expect(retryRule(job('failed', 0, 0))).toEqual({ visible: true, enabled: false, reason: 'max retries reached 0/0' });
  });
});

describe('claim health', () => {
  const now = Date.parse('2024-01-01T10:10:00.000Z');
  const claim = (updatedAgoMs: number, expiresInMs: number) => ({
    claimed_at: '2024-01-01T10:00:00.000Z',
    updated_at: new Date(now - updatedAgoMs).toISOString(),
    claim_expires_at: new Date(now + expiresInMs).toISOString(),
  });
  test('a worker that beat recently is ok; silent past 30 s is stale; past the expiry, expired', () => {
    expect(claimHealth(claim(2_000, 598_000), now)).toMatchObject({ state: 'ok', ageMs: 600_000, silentMs: 2_000, expiresInMs: 598_000 });
    expect(claimHealth(claim(45_000, 555_000), now).state).toBe('stale');
    expect(claimHealth(claim(700_000, -100_000), now).state).toBe('expired');
  });
});

/** A tRPC client whose cancel/retry answer from `answers` and record what they were sent. */
function mockClient(answers: Record<string, (input: any) => unknown>, calls: Array<{ path: string; input: unknown }>) {
  const link: TRPCLink<AppRouter> = () => ({ op }) =>
    observable((observer) => {
      calls.push({ path: op.path, input: op.input });
      const answer = answers[op.path];
      if (!answer) observer.error(new Error(`unexpected ${op.path}`) as never);
      else {
        observer.next({ result: { type: 'data', data: answer(op.input) } });
        observer.complete();
      }
    });
  return trpc.createClient({ links: [link] });
}

function renderActions(subject: ScrapeJob, answers: Record<string, (input: any) => unknown> = {}) {
  const calls: Array<{ path: string; input: unknown }> = [];
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <trpc.Provider client={mockClient(answers, calls)} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <JobActions job={subject} />
      </QueryClientProvider>
    </trpc.Provider>,
  );
  return calls;
}

const base: ScrapeJob = {
  id: '123e4567-e89b-12d3-a456-426614174000',
  domain_id: null,
  customer_config_id: null,
  domain: 'example.com',
  job_type: 'domain_scrape',
  status: 'running',
  priority: 5,
  retry_count: 0,
  max_retries: 3,
  config: { depth: 3, maxPages: 100, timeout: 30000, respectRobots: true, includeSubdomains: false, userAgent: 'Bot', delay: 1000, retryOnFailure: true },
  metadata: {},
  stats: {},
  started_at: null,
  completed_at: null,
  error_message: null,
  worker_id: null,
  claimed_at: null,
  claim_expires_at: null,
  available_at: '2024-01-01T10:00:00.000Z',
  created_at: '2024-01-01T10:00:00.000Z',
  updated_at: '2024-01-01T10:00:00.000Z',
};

describe('JobActions', () => {
  test('a completed job offers no action', () => {
    renderActions({ ...base, status: 'completed' });
    expect(screen.queryByRole('button')).toBeNull();
  });

  test('a failed job out of retries: retry disabled, with "max retries reached 3/3"; cancel still offered', () => {
    renderActions({ ...base, status: 'failed', retry_count: 3, max_retries: 3 });
    const retry = screen.getByRole('button', { name: 'Retry' });
    expect(retry).toBeDisabled();
    expect(retry).toHaveAccessibleDescription('Retry unavailable: max retries reached 3/3');
    expect(screen.getByRole('button', { name: 'Cancel job…' })).toBeEnabled();
  });

  test('cancel asks for confirmation and sends the reason; Escape backs out without sending', async () => {
    const user = userEvent.setup();
    const calls = renderActions(base, {
      'scrapeJobs.cancel': (input) => ({ id: input.id, status: 'cancelled', error_message: `Cancelled via API: ${input.reason}`, completed_at: base.updated_at }),
    });
    expect(screen.queryByRole('button', { name: /retry/i })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Cancel job…' }));
    expect(screen.getByRole('dialog', { name: 'Cancel the job for example.com?' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Cancel job…' }));
    const dialog = screen.getByRole('dialog');
    const reason = within(dialog).getByRole('textbox', { name: /reason/i });
    expect(reason).toHaveFocus();
    await user.type(reason, 'Taking too long');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls).toEqual([{ path: 'scrapeJobs.cancel', input: { id: base.id, reason: 'Taking too long' } }]);
    expect(screen.getByRole('status')).toHaveTextContent('Job cancelled: Cancelled via API: Taking too long');
  });

  test('retry of a failed job with retries left calls scrapeJobs.retry', async () => {
    const user = userEvent.setup();
    const calls = renderActions({ ...base, status: 'failed', retry_count: 1 }, { 'scrapeJobs.retry': () => ({ ...base, status: 'pending', retry_count: 2 }) });
    await user.click(screen.getByRole('button', { name: 'Retry (attempt 2/3)' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Job scheduled for retry (attempt 2/3)'));
    expect(calls[0]).toMatchObject({ path: 'scrapeJobs.retry', input: { id: base.id } });
  });
});
