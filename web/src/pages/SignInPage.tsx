import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { ErrorPanel } from '../components/ErrorPanel';

export function SignInPage() {
  const { signIn, reason } = useAuth();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="container py-5 signin">
      <h1 className="h3 mb-3">docgen admin</h1>
      {reason && (
        <div className="alert alert-warning" role="alert">
          {reason}
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby="token-help">
        <label htmlFor="token" className="form-label">
          API token
        </label>
        <input
          id="token"
          type="password"
          className="form-control"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <p id="token-help" className="form-text">
          Paste a token made with <code>docgen token create</code> (or your identity provider). It is kept in this tab only (sessionStorage) and sent as{' '}
          <code>Authorization: Bearer</code>.
        </p>
        <button type="submit" className="btn btn-primary" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <div className="mt-3">
        <ErrorPanel error={error} title="Signing in" />
      </div>
    </main>
  );
}
