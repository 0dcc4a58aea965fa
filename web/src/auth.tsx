// The API token lives in sessionStorage (this tab only); the role is found
// by probing (see ApiClient.probeRole).
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, createClient, type ApiClient, type Role } from './api/client';

const KEY = 'docgen.token';

export interface Auth {
  client: ApiClient;
  role: Role | null;
  /** true while the stored token is being probed. */
  checking: boolean;
  /** Why the person was signed out (a 401), shown on the sign-in page. */
  reason: string | null;
  signIn: (token: string) => Promise<void>;
  signOut: (reason?: string) => void;
}

const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

export const canGenerate = (role: Role | null) => role === 'generator' || role === 'admin';
export const isAdmin = (role: Role | null) => role === 'admin';

function readToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const token = useRef<string | null>(readToken());
  const [role, setRole] = useState<Role | null>(null);
  const [checking, setChecking] = useState<boolean>(token.current !== null);
  const [reason, setReason] = useState<string | null>(null);

  const signOut = useCallback((why?: string) => {
    token.current = null;
    try {
      window.sessionStorage.removeItem(KEY);
    } catch {
      // storage unavailable
    }
    setRole(null);
    setReason(why ?? null);
  }, []);

  const client = useMemo(
    () =>
      createClient({
        getToken: () => token.current,
        onUnauthorized: (e) => signOut(`The server refused the token (401 ${e.code}): ${e.message}`),
      }),
    [signOut],
  );

  const signIn = useCallback(
    async (value: string) => {
      token.current = value.trim();
      const found = await client.probeRole().catch((e: unknown) => {
        token.current = null;
        throw e;
      });
      if (!found) {
        token.current = null;
        throw new ApiError(401, { code: 'unauthorized', message: 'The server does not accept this token.', request_id: '' });
      }
      try {
        window.sessionStorage.setItem(KEY, token.current);
      } catch {
        // storage unavailable: the token lives until reload
      }
      setReason(null);
      setRole(found);
    },
    [client],
  );

  useEffect(() => {
    if (!token.current) return;
    let live = true;
    client
      .probeRole()
      .then((found) => {
        if (!live) return;
        if (found) setRole(found);
        else signOut('The stored token is no longer accepted.');
      })
      .catch((e: unknown) => live && setReason(e instanceof Error ? e.message : String(e)))
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
    };
  }, [client, signOut]);

  const value = useMemo(() => ({ client, role, checking, reason, signIn, signOut }), [client, role, checking, reason, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
