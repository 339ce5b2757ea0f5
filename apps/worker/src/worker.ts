import { parseAllowList } from '@scrape-jobs/crawler';
import { runJob, type RunOutcome } from './job-runner.ts';
import type { Logger } from './logger.ts';
import { createServerClient } from './server-client.ts';

export interface WorkerOptions {
  serverUrl: string;
  workerId: string;
  /** A `worker` API key; needed when the server runs with AUTH_MODE=keys. */
  apiKey?: string | undefined;
  concurrency: number;
  heartbeatIntervalMs: number;
  pollIntervalMs: number;
  allowHosts: string | undefined;
  log: Logger;
  /** Called when a job ends, for tests and logs. */
  onJobEnd?: (jobId: string, outcome: RunOutcome | 'error') => void;
}

export interface Worker {
  /** Stops claiming; running jobs get `graceMs` to finish, then are handed back. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Keeps up to `concurrency` jobs running: claims, crawls, reports. Idle, it waits for a new
 * pending job on the change feed, or `pollIntervalMs` at most.
 */
export function startWorker(options: WorkerOptions): Worker {
  const { log } = options;
  const client = createServerClient(options.serverUrl, options.workerId, options.apiKey);
  const allowHosts = parseAllowList(options.allowHosts);
  const running = new Map<string, Promise<void>>();
  const shutdown = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));

  // Only the jobs becoming claimable: such a subscription costs the database nothing extra.
  const feed = client.scrapeJobs.onChange.subscribe({ into_statuses: ['pending'] }, {
    onData: () => wake?.(),
    onError: () => {},
  });

  const loop = async () => {
    while (!stopping) {
      if (running.size >= options.concurrency) {
        await Promise.race([...running.values(), nap(options.pollIntervalMs)]);
        continue;
      }
      let job;
      try {
        job = await client.queue.claim.mutate({ worker_id: options.workerId });
      } catch (error) {
        log.warn({ err: String(error) }, 'claim failed; trying again');
        await nap(options.pollIntervalMs);
        continue;
      }
      if (!job) {
        await nap(options.pollIntervalMs);
        continue;
      }
      log.info({ job: job.id, domain: job.domain, type: job.job_type }, 'claimed');
      const id = job.id;
      const run = runJob(job, { client, heartbeatIntervalMs: options.heartbeatIntervalMs, allowHosts, log }, shutdown.signal)
        .then((outcome) => {
          log.info({ job: id, outcome }, 'job ended');
          options.onJobEnd?.(id, outcome);
        })
        .catch((error: unknown) => {
          log.error({ job: id, err: String(error) }, 'job run failed');
          options.onJobEnd?.(id, 'error');
        })
        .finally(() => running.delete(id));
      running.set(id, run);
    }
  };
  const looping = loop();

  return {
    async stop(graceMs) {
      stopping = true;
      wake?.();
      await looping;
      const deadline = setTimeout(() => shutdown.abort(), graceMs);
      await Promise.all(running.values());
      clearTimeout(deadline);
      feed.unsubscribe();
    },
  };
}
