import { useIdentity } from './identity.tsx';
import { useSession } from './session.tsx';

/** The header's "who am I": the key's name, role and tenant (or open access), and sign in/out. */
export function IdentityMenu() {
  const { principal } = useIdentity();
  const session = useSession();
  const signedIn = principal.key_id !== null;
  return (
    <div className="identity" data-testid="identity">
      {signedIn ? (
        <>
          <span className="identity-who">
            <span className="identity-name">{principal.name}</span> <span className="identity-role">{principal.role}</span>
            {principal.tenant_id && <span className="identity-tenant"> · tenant {principal.tenant_id}</span>}
          </span>
          <button type="button" className="button button-on-dark" onClick={session.signOut}>
            Sign out
          </button>
        </>
      ) : (
        <>
          <span className="identity-who">open access</span>
          <button type="button" className="button button-on-dark" onClick={session.requestSignIn}>
            Sign in with a key
          </button>
        </>
      )}
    </div>
  );
}
