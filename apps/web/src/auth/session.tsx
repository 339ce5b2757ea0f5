/**
 * The session: which API key the dashboard sends (none in open access), and a sentence about
 * how the last one ended. It sits above every identity's query cache, so switching keys
 * starts from an empty cache and never shows one key's data to another.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { errorSentence } from '../lib/errors.ts';
import { clearKey, loadKey, saveKey } from './key-storage.ts';

export interface Session {
  /** The key sent on every call; null sends none. */
  apiKey: string | null;
  /** Why the user is looking at the sign-in screen again (signed out, key no longer accepted). */
  notice: string | null;
  /** The user asked for the sign-in form although open access would let them in. */
  signInRequested: boolean;
  /** Keeps a key the server has accepted: this tab only, or this device when `remember`. */
  signIn: (apiKey: string, remember: boolean) => void;
  signOut: () => void;
  /** The server refused the key it used to accept (revoked): forget it and say why. */
  expire: (error: unknown) => void;
  requestSignIn: () => void;
  cancelSignIn: () => void;
  dismissNotice: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [apiKey, setApiKey] = useState<string | null>(loadKey);
  const [notice, setNotice] = useState<string | null>(null);
  const [signInRequested, setSignInRequested] = useState(false);

  const signIn = useCallback((key: string, remember: boolean) => {
    saveKey(key, remember);
    setApiKey(key);
    setNotice(null);
    setSignInRequested(false);
  }, []);
  const signOut = useCallback(() => {
    clearKey();
    setApiKey(null);
    setNotice('You are signed out.');
    setSignInRequested(false);
  }, []);
  const expire = useCallback((error: unknown) => {
    clearKey();
    setApiKey(null);
    setNotice(`Signed out: the server no longer accepts this key (${errorSentence(error)}). Sign in again.`);
    setSignInRequested(false);
  }, []);
  const requestSignIn = useCallback(() => setSignInRequested(true), []);
  const cancelSignIn = useCallback(() => setSignInRequested(false), []);
  const dismissNotice = useCallback(() => setNotice(null), []);

  const session = useMemo<Session>(
    () => ({ apiKey, notice, signInRequested, signIn, signOut, expire, requestSignIn, cancelSignIn, dismissNotice }),
    [apiKey, notice, signInRequested, signIn, signOut, expire, requestSignIn, cancelSignIn, dismissNotice],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}
