/**
 * The typed tRPC client of the server's API. Only the router's *type* comes from the api
 * package; nothing of the server is bundled. Queries and mutations go through one batched
 * HTTP link; `scrapeJobs.onChange` is a server-sent-events stream (httpSubscriptionLink).
 */
import type { AppRouter, RouterInputs, RouterOutputs } from '@scrape-jobs/api';
import { httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';

export const trpc = createTRPCReact<AppRouter>();

export type Inputs = RouterInputs;
export type Outputs = RouterOutputs;
export type JobListOutput = RouterOutputs['scrapeJobs']['list'];

export function createClient(baseUrl = '') {
  const url = `${baseUrl}/trpc`;
  return trpc.createClient({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({ url }),
      }),
    ],
  });
}
