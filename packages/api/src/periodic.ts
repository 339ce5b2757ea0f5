export interface Periodic {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`. Runs are never concurrent (a tick while one runs is
 * skipped); an error (the database away) goes to `onError` and the next run tries again.
 */
export function runEvery(intervalMs: number, task: () => Promise<void>, onError?: (error: unknown) => void): Periodic {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task()
      .catch((error) => onError?.(error))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
