import type { ScrapeJob } from '@scrape-jobs/domain';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useIdentity } from '../../auth/identity.tsx';
import { deniedReason } from '../../auth/permissions.ts';
import { cancelRule, nextAttempt, retryRule, withPermission } from '../../lib/job-actions.ts';
import { errorSentence } from '../../lib/errors.ts';
import { trpc } from '../../trpc.ts';

/**
 * Cancel (with a reason, after a confirmation) and retry — only those the rules allow, and
 * disabled with the reason when the key may not write jobs.
 */
export function JobActions({ job }: { job: ScrapeJob }) {
  const utils = trpc.useUtils();
  const identity = useIdentity();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => {
    void utils.scrapeJobs.get.invalidate({ id: job.id });
    void utils.scrapeJobs.history.invalidate({ id: job.id });
    void utils.scrapeJobs.list.invalidate();
    void utils.scrapeJobs.stats.invalidate();
  };
  const cancel = trpc.scrapeJobs.cancel.useMutation({
    onSuccess: (data) => {
      setConfirming(false);
      setNotice(`Job cancelled: ${data.error_message ?? 'Cancelled via API'}`);
      refresh();
    },
  });
  const retry = trpc.scrapeJobs.retry.useMutation({
    onSuccess: (data) => {
      setNotice(`Job scheduled for retry (attempt ${data.retry_count}/${data.max_retries})`);
      refresh();
    },
  });
  const cancelling = withPermission(cancelRule(job), deniedReason(identity, 'jobs:write', 'cancel jobs'));
  const retrying = withPermission(retryRule(job), deniedReason(identity, 'jobs:write', 'retry jobs'));
  const error = cancel.error ?? retry.error;

  return (
    <div className="actions">
      {cancelling.visible && (
        <span className="action-with-reason">
          <button
            type="button"
            className="button button-danger"
            disabled={!cancelling.enabled}
            title={cancelling.reason ?? undefined}
            aria-describedby={cancelling.reason ? `cancel-reason-${job.id}` : undefined}
            onClick={() => (cancel.reset(), setConfirming(true))}
          >
            Cancel job…
          </button>
          {cancelling.reason && (
            <span className="action-reason" id={`cancel-reason-${job.id}`}>
              Cancel unavailable: {cancelling.reason}
            </span>
          )}
        </span>
      )}
      {retrying.visible && (
        <span className="action-with-reason">
          <button
            type="button"
            className="button button-primary"
            disabled={!retrying.enabled || retry.isPending}
            title={retrying.reason ?? undefined}
            aria-describedby={retrying.reason ? `retry-reason-${job.id}` : undefined}
            onClick={() => retry.mutate({ id: job.id, reason: 'Retried from the dashboard', retried_by: 'dashboard' })}
          >
            {retry.isPending ? 'Retrying…' : retrying.enabled ? `Retry (${nextAttempt(job)})` : 'Retry'}
          </button>
          {retrying.reason && (
            <span className="action-reason" id={`retry-reason-${job.id}`}>
              Retry unavailable: {retrying.reason}
            </span>
          )}
        </span>
      )}
      {notice && !error && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && !confirming && (
        <p className="form-error" role="alert">
          {errorSentence(error)}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Cancel the job for ${job.domain}?`}
          confirmLabel="Cancel job"
          cancelLabel="Keep it"
          danger
          busy={cancel.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => cancel.mutate({ id: job.id, ...(reason.trim() ? { reason: reason.trim() } : {}) })}
        >
          <p>
            A {job.status} job stops at once{job.status === 'running' ? '; the worker keeps the pages it already fetched' : ''}. This cannot be undone.
          </p>
          <label className="field">
            <span>Reason (recorded in the job and its history)</span>
            <textarea name="reason" rows={3} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. Taking too long" />
          </label>
          {cancel.error && (
            <p className="form-error" role="alert">
              {errorSentence(cancel.error)}
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
