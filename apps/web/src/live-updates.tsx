/**
 * Live updates: one `scrapeJobs.onChange` SSE stream for the whole dashboard. Each change
 * marks the affected queries stale (batched, at most every 250 ms), so the visible pages
 * refetch just what changed — no reloads. While the stream is down the page says so and
 * every query polls instead; when it comes back, everything is refetched once to catch up.
 * A key without jobs:read opens no stream; a stream the server refuses the key for ends the
 * session like any other call.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useCan } from './auth/identity.tsx';
import { useSession } from './auth/session.tsx';
import { isUnauthenticated } from './lib/errors.ts';
import { trpc } from './trpc.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** How often queries poll while the stream is down. */
export const POLL_INTERVAL_MS = 3000;
const FLUSH_MS = 250;
/** After a fatal stream error (the server answered with an error), try again this soon. */
const RESTART_MS = 3000;

const LiveContext = createContext<LiveState>('connecting');

export function LiveUpdates({ children }: { children: ReactNode }) {
  const utils = trpc.useUtils();
  const session = useSession();
  const mayRead = useCan('jobs:read');
  const changedJobs = useRef(new Set<string>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [connectedOnce, setConnectedOnce] = useState(false);

  const flush = useCallback(() => {
    flushTimer.current = null;
    const ids = [...changedJobs.current];
    changedJobs.current.clear();
    void utils.scrapeJobs.list.invalidate();
    void utils.scrapeJobs.stats.invalidate();
    void utils.queue.peek.invalidate();
    for (const id of ids) {
      void utils.scrapeJobs.get.invalidate({ id });
      void utils.scrapeJobs.history.invalidate({ id });
      void utils.scrapeJobs.results.invalidate({ id });
    }
  }, [utils]);

  const subscription = trpc.scrapeJobs.onChange.useSubscription(undefined, {
    enabled: mayRead,
    onError: (error) => {
      if (session.apiKey !== null && isUnauthenticated(error)) session.expire(error);
    },
    onStarted: () => {
      setConnectedOnce(true);
      void utils.invalidate();
    },
    onData: (change) => {
      changedJobs.current.add(change.job_id);
      flushTimer.current ??= setTimeout(flush, FLUSH_MS);
    },
  });

  const { status, error, reset } = subscription;
  useEffect(() => {
    if (status !== 'error') return;
    const timer = setTimeout(reset, RESTART_MS);
    return () => clearTimeout(timer);
  }, [status, reset]);
  useEffect(() => () => void (flushTimer.current && clearTimeout(flushTimer.current)), []);

  const state: LiveState = status === 'pending' ? 'live' : !connectedOnce && !error ? 'connecting' : 'reconnecting';
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export const useLiveState = () => useContext(LiveContext);

/** `refetchInterval` for queries: none while the stream is live, polling otherwise. */
export function useRefetchInterval(): number | false {
  return useLiveState() === 'live' ? false : POLL_INTERVAL_MS;
}

const LABELS: Record<LiveState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: `Reconnecting — polling every ${POLL_INTERVAL_MS / 1000} s`,
};

export function LiveIndicator() {
  const state = useLiveState();
  return (
    <span className={`live-indicator live-${state}`} role="status" aria-live="polite" data-testid="live-indicator" data-state={state}>
      <span className="live-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
