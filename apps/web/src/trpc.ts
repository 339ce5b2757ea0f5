/**
 * The typed tRPC client of the server's API. Only the router's *type* comes from the api
 * package; nothing of the server is bundled. Queries and mutations go through one batched
 * HTTP link; `scrapeJobs.onChange` is a server-sent-events stream (httpSubscriptionLink).
 *
 * The API key travels as `Authorization: Bearer <key>` on queries and mutations and as the
 * connection parameter `token` on the stream (EventSource cannot send headers). An operation
 * may carry its own key in `context.apiKey` (the sign-in form checks a key before keeping
 * it); such operations go unbatched, so a batch never mixes two keys.
 */
import type { AppRouter, RouterInputs, RouterOutputs } from '@scrape-jobs/api';
import { httpBatchLink, httpLink, httpSubscriptionLink, splitLink, type Operation, type TRPCLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';

export const trpc = createTRPCReact<AppRouter>();

export type Inputs = RouterInputs;
export type Outputs = RouterOutputs;
export type JobListOutput = RouterOutputs['scrapeJobs']['list'];
export type WhoAmI = RouterOutputs['auth']['whoami'];

/** The links of a client that sends `apiKey` (null: no key, open access or signed out). */
export type LinksFactory = (apiKey: string | null) => TRPCLink<AppRouter>[];

const ownKeyOf = (op: Operation): string | undefined => {
  const key = (op.context as { apiKey?: unknown }).apiKey;
  return typeof key === 'string' ? key : undefined;
};
const bearer = (key: string | null | undefined): Record<string, string> => (key ? { Authorization: `Bearer ${key}` } : {});

export function httpLinks(baseUrl = ''): LinksFactory {
  const url = `${baseUrl}/trpc`;
  return (apiKey) => [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url, ...(apiKey ? { connectionParams: { token: apiKey } } : {}) }),
      false: splitLink({
        condition: (op) => ownKeyOf(op) !== undefined,
        true: httpLink({ url, headers: ({ op }) => bearer(ownKeyOf(op)) }),
        false: httpBatchLink({ url, headers: () => bearer(apiKey) }),
      }),
    }),
  ];
}

export function createClient(apiKey: string | null = null, links: LinksFactory = httpLinks()) {
  return trpc.createClient({ links: links(apiKey) });
}
