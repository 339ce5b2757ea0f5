import { useId, useState, type FormEvent } from 'react';
import { errorSentence } from '../lib/errors.ts';
import { trpc } from '../trpc.ts';
import { useSession } from './session.tsx';

interface Props {
  /** A sentence about why the user is here again (signed out, key refused); null for none. */
  reason: string | null;
  /** Shown when open access would let the user in without a key: go back to it. */
  onCancel?: () => void;
}

/**
 * The API key form. The key is checked with `auth.whoami` before it is kept, so a wrong key
 * shows the server's sentence here and changes nothing.
 */
export function SignInPage({ reason, onCancel }: Props) {
  const session = useSession();
  const utils = trpc.useUtils();
  const [apiKey, setApiKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const errorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (!key) {
      setError('Enter an API key');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await utils.client.auth.whoami.query(undefined, { context: { apiKey: key } });
      session.signIn(key, remember);
    } catch (refusal) {
      setError(errorSentence(refusal));
      setChecking(false);
    }
  };

  return (
    <section aria-labelledby="sign-in-title" className="sign-in">
      <h1 id="sign-in-title">Sign in</h1>
      {reason && (
        <p className="notice" role="status" data-testid="sign-in-reason">
          {reason}
        </p>
      )}
      <p className="muted">
        {onCancel
          ? 'This server is in open access; signing in with a key makes the dashboard act with that key’s role and tenant.'
          : 'This server needs an API key. An admin creates one with the keys command of the server’s CLI.'}
      </p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <label className={`field${error ? ' field-invalid' : ''}`}>
          <span>API key</span>
          <input
            type="password"
            name="api_key"
            autoComplete="current-password"
            spellCheck={false}
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
            aria-invalid={error ? 'true' : 'false'}
            aria-describedby={error ? errorId : undefined}
            autoFocus
          />
        </label>
        {error && (
          <p className="form-error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <label className="checkbox">
          <input type="checkbox" name="remember" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
          Remember on this device
        </label>
        <p className="hint">Otherwise the key is forgotten when this tab closes.</p>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={checking}>
            {checking ? 'Checking…' : 'Sign in'}
          </button>
          {onCancel && (
            <button type="button" className="button button-quiet" onClick={onCancel}>
              Back to open access
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
