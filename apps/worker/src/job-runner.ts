import { crawl, type AllowList, type PageResult } from '@scrape-jobs/crawler';
import { MAX_PAGES_PER_REPORT, type ClaimedJob, type JobStats, type PageResultRecord } from '@scrape-jobs/domain';
import { loadPreviousCrawl } from './previous-job.ts';
import { isClaimLost, isTransient, type ServerClient } from './server-client.ts';
import type { Logger } from './logger.ts';

export interface JobRunnerDeps {
  client: ServerClient;
  heartbeatIntervalMs: number;
  allowHosts: AllowList;
  log: Logger;
}

/**
 * How a run ended, from the worker's side:
 * - completed / failed: the worker's report was accepted (failed may have been retried by the server);
 * - cancelled: somebody cancelled the job; the crawl stopped and the partial stats were sent;
 * - lost: the claim expired or went to another worker; nothing more was written;
 * - released: the worker shut down and handed the job back to the queue.
 */
export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'lost' | 'released';

type StopReason = 'cancelled' | 'lost' | 'shutdown';

const toRecord = (page: PageResult): PageResultRecord => ({
  url: page.url,
  status: page.status,
  title: page.title,
  depth: page.depth,
  products: page.products,
  images: page.images,
  links: page.links,
  documents: page.documents,
  bytes: page.bytes,
  response_time_ms: Math.round(page.responseTimeMs),
  error: page.error,
  fetched_at: page.fetchedAt,
});

/** Retries a call while the server is unreachable (a restart), up to about half a minute. */
async function persistently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
    }
  }
}

/**
 * Crawls one claimed job to its end. Progress goes out with every heartbeat (which also
 * extends the claim); a cancellation arrives through the job's change feed or the heartbeat
 * answer and aborts the crawl at once; every write presents the claim token, so a worker
 * that lost its claim cannot overwrite the new owner's job.
 */
export async function runJob(job: ClaimedJob, deps: JobRunnerDeps, shutdown: AbortSignal): Promise<RunOutcome> {
  const { client, log } = deps;
  const token = job.claim_token;
  const abort = new AbortController();
  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    log.info({ job: job.id, reason }, 'stopping crawl');
    abort.abort(reason);
  };
  const onShutdown = () => stop('shutdown');
  if (shutdown.aborted) onShutdown();
  shutdown.addEventListener('abort', onShutdown);

  // A cancel, or the job sent back to pending, stops the crawl at once; any other loss of the
  // claim shows on the next heartbeat (claimLost). Only these moves: they are always announced.
  const feed = client.scrapeJobs.onChange.subscribe(
    { job_id: job.id, into_statuses: ['pending', 'cancelled'] },
    { onData: (change) => stop(change.new_status === 'cancelled' ? 'cancelled' : 'lost'), onError: () => {} },
  );

  let stats: JobStats = {};
  const unsent: PageResultRecord[] = [];
  const claimLost = (error: unknown) => {
    const status = (error as { data?: { details?: { currentStatus?: string } } }).data?.details?.currentStatus;
    stop(status === 'cancelled' ? 'cancelled' : 'lost');
  };
  const sendPages = async () => {
    while (unsent.length > 0 && !stopReason) {
      const batch = unsent.slice(0, MAX_PAGES_PER_REPORT);
      await persistently(() => client.queue.reportPages.mutate({ id: job.id, claim_token: token, pages: batch }));
      unsent.splice(0, batch.length);
    }
  };
  const beat = async () => {
    try {
      await sendPages();
      if (!stopReason) await client.queue.heartbeat.mutate({ id: job.id, claim_token: token, stats });
    } catch (error) {
      if (isClaimLost(error)) claimLost(error);
      else log.warn({ job: job.id, err: String(error) }, 'heartbeat failed');
    }
  };
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => (beating = beating.then(beat)), deps.heartbeatIntervalMs);

  try {
    // The domain's last completed job: its URLs for content_update, its products for the inventory block.
    const previous = await loadPreviousCrawl(client, job).catch(() => ({ urls: [], products: [] }));
    const result = await crawl({
      target: { domain: job.domain, job_type: job.job_type, config: job.config },
      signal: abort.signal,
      allowHosts: deps.allowHosts,
      previousUrls: previous.urls,
      previousProducts: previous.products,
      onPage: (page) => {
        unsent.push(toRecord(page));
      },
      onProgress: (progress) => {
        stats = progress;
      },
    });
    clearInterval(timer);
    await beating;
    stats = result.stats;

    if (stopReason === 'cancelled') {
      // The job is final; its partial stats are still worth keeping (a same-status update).
      await client.scrapeJobs.update.mutate({ id: job.id, stats }).catch(() => {});
      return 'cancelled';
    }
    if (stopReason === 'lost') return 'lost';
    await sendPages();
    if (stopReason === 'shutdown') {
      await persistently(() => client.queue.release.mutate({ id: job.id, claim_token: token, reason: 'worker shutting down' }));
      return 'released';
    }
    if (result.outcome === 'completed') {
      await persistently(() => client.scrapeJobs.update.mutate({ id: job.id, claim_token: token, status: 'completed', stats }));
      return 'completed';
    }
    const error = result.error;
    await persistently(() =>
      client.scrapeJobs.update.mutate({
        id: job.id,
        claim_token: token,
        status: 'failed',
        stats,
        error_message: error?.message ?? 'Crawl failed',
        retryable: error?.retryable ?? false,
        ...(error?.retryAfterMs ? { retry_after_ms: Math.min(Math.round(error.retryAfterMs), 86_400_000) } : {}),
      }),
    );
    return 'failed';
  } catch (error) {
    if (isClaimLost(error)) {
      claimLost(error);
      if (stopReason === 'cancelled') await client.scrapeJobs.update.mutate({ id: job.id, stats }).catch(() => {});
      return stopReason === 'cancelled' ? 'cancelled' : 'lost';
    }
    throw error;
  } finally {
    clearInterval(timer);
    feed.unsubscribe();
    shutdown.removeEventListener('abort', onShutdown);
  }
}
