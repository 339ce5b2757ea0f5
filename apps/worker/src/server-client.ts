import type { AppRouter } from '@scrape-jobs/api';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { EventSource } from 'eventsource';

/** The typed client of the server's tRPC API; the worker's only way to the jobs. */
export type ServerClient = ReturnType<typeof createServerClient>;

export function createServerClient(serverUrl: string, workerId: string, apiKey?: string) {
  const url = `${serverUrl.replace(/\/$/, '')}/trpc`;
  // The key goes in the header on every call, the SSE subscription included (this
  // EventSource takes a fetch, so it can send headers, unlike a browser's).
  const headers: Record<string, string> = { 'x-worker-id': workerId, ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource, eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }) }) }),
        false: httpBatchLink({ url, headers }),
      }),
    ],
  });
}

/** The server said the claim is gone (cancelled, expired, re-claimed): stop writing. */
export function isClaimLost(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { domainCode?: string } | undefined)?.domainCode === 'CLAIM_LOST';
}

/** The server could not be reached or was briefly unavailable: worth another try. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const code = (error.data as { code?: string } | undefined)?.code;
  return code === undefined || code === 'SERVICE_UNAVAILABLE' || code === 'INTERNAL_SERVER_ERROR' || code === 'TIMEOUT';
}
