/**
 * Who the dashboard acts as, from `auth.whoami`: the mode, the principal and its
 * permissions. The gate shows the sign-in screen while the server wants a key (or the user
 * asked to sign in) and the dashboard otherwise; pages ask `useCan` before offering writes.
 */
import { PERMISSIONS, type Permission } from '@scrape-jobs/domain';
import { createContext, useContext, type ReactNode } from 'react';
import { ErrorNotice, Loading } from '../components/states.tsx';
import { isUnauthenticated } from '../lib/errors.ts';
import { trpc, type WhoAmI } from '../trpc.ts';
import { SignInPage } from './sign-in-page.tsx';
import { useSession } from './session.tsx';

/**
 * Outside the gate (components rendered on their own in tests) the dashboard behaves as the
 * server's open access: the admin role, every permission.
 */
export const OPEN_ACCESS: WhoAmI = {
  mode: 'open',
  principal: { key_id: null, name: 'open access', role: 'admin', tenant_id: null },
  permissions: Object.keys(PERMISSIONS) as Permission[],
};

const IdentityContext = createContext<WhoAmI>(OPEN_ACCESS);

export const useIdentity = () => useContext(IdentityContext);

export function useCan(permission: Permission): boolean {
  return useIdentity().permissions.includes(permission);
}

/** A bare frame for the screens shown before the dashboard (no navigation yet). */
function Frame({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Scrape Jobs</span>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function IdentityGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const whoami = trpc.auth.whoami.useQuery(undefined, { staleTime: 30_000 });

  if (whoami.isError && isUnauthenticated(whoami.error)) {
    // No key, or one the server just refused (IdentityScope is already forgetting it).
    return (
      <Frame>
        <SignInPage reason={session.apiKey ? null : session.notice} />
      </Frame>
    );
  }
  if (whoami.isPending) {
    return (
      <Frame>
        <Loading what="your access" />
      </Frame>
    );
  }
  if (whoami.isError) {
    return (
      <Frame>
        <ErrorNotice error={whoami.error} what="your access" onRetry={() => void whoami.refetch()} />
      </Frame>
    );
  }
  if (session.signInRequested) {
    return (
      <Frame>
        <SignInPage reason={null} onCancel={session.cancelSignIn} />
      </Frame>
    );
  }
  return <IdentityContext.Provider value={whoami.data}>{children}</IdentityContext.Provider>;
}
