/**
 * One query cache and one tRPC client per API key: a new key (sign-in, sign-out, a revoked
 * key) remounts everything below with empty caches and a client that sends that key. Any
 * call the server answers UNAUTHORIZED while a key is in use ends the session with its sentence.
 */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { isForbidden, isUnauthenticated } from '../lib/errors.ts';
import { createClient, trpc, type LinksFactory } from '../trpc.ts';
import { useSession } from './session.tsx';

/** Refusals do not change on a second try; anything else is retried once. */
const retryOnce = (failures: number, error: unknown) => failures < 1 && !isUnauthenticated(error) && !isForbidden(error);

function Scope({ apiKey, links, onRefused, children }: { apiKey: string | null; links: LinksFactory; onRefused: (error: unknown) => void; children: ReactNode }) {
  const [queryClient] = useState(() => {
    const onError = (error: unknown) => {
      if (apiKey !== null && isUnauthenticated(error)) onRefused(error);
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { staleTime: 1000, refetchOnWindowFocus: true, retry: retryOnce }, mutations: { retry: false } },
    });
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
