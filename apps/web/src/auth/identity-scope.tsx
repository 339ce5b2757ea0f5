/**
 * One query cache and one tRPC client per API key: a new key (sign-in, sign-out, a revoked
 * key) remounts everything below with empty caches and a client that sends that key. Any
 * call the server answers UNAUTHORIZED while a key is in use ends the session with its sentence.
 */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { useState, type ReactNode } from 'react';
import { isForbidden, isUnauthenticated } from '../lib/errors.ts';
import { createClient, trpc, type LinksFactory } from '../trpc.ts';
import { useSession } from './session.tsx';

const WHOAMI = getQueryKey(trpc.auth.whoami);
const isWhoami = (key: readonly unknown[]) => JSON.stringify(key[0]) === JSON.stringify(WHOAMI[0]);

/** Refusals do not change on a second try; anything else is retried once. */
const retryOnce = (failures: number, error: unknown) => failures < 1 && !isUnauthenticated(error) && !isForbidden(error);

function Scope({ apiKey, links, onRefused, children }: { apiKey: string | null; links: LinksFactory; onRefused: (error: unknown) => void; children: ReactNode }) {
  const [queryClient] = useState(() => {
    const onError = (error: unknown, fromWhoami: boolean) => {
      if (!isUnauthenticated(error)) return;
      if (apiKey !== null) onRefused(error);
      // Without a key the server has started to want one (restarted with AUTH_MODE=keys): a
      // fresh whoami makes the gate show the sign-in form.
      else if (!fromWhoami) void client.invalidateQueries({ queryKey: WHOAMI, exact: false });
    };
    const client: QueryClient = new QueryClient({
      queryCache: new QueryCache({ onError: (error, query) => onError(error, isWhoami(query.queryKey)) }),
      mutationCache: new MutationCache({ onError: (error) => onError(error, false) }),
      defaultOptions: { queries: { staleTime: 1000, refetchOnWindowFocus: true, retry: retryOnce }, mutations: { retry: false } },
    });
    return client;
  });
  const [trpcClient] = useState(() => createClient(apiKey, links));
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}

export function IdentityScope({ links, children }: { links: LinksFactory; children: ReactNode }) {
  const { apiKey, expire } = useSession();
  return (
    <Scope key={apiKey ?? ''} apiKey={apiKey} links={links} onRefused={expire}>
      {children}
    </Scope>
  );
}
