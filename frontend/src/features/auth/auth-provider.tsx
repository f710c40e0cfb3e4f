import type { LoginInput, RegisterInput, User } from '@primo/api/contract/wire';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, onSessionEnded, refreshSession } from '../../lib/api-client';
import { login, logout, register } from './api/auth.api';
import { AuthContext, type AuthState, type AuthStatus } from './auth-context';

/**
 * Who is signed in on this browser, kept so that without a network the app still opens for them with
 * what it saved (features/offline); forgotten on signing out and when the server says the session is over.
 */
const LAST_USER = 'primo-user';
const remember = (user: User | null) =>
  user ? localStorage.setItem(LAST_USER, JSON.stringify(user)) : localStorage.removeItem(LAST_USER);

/**
 * Restores the session from the refresh cookie on load (when someone signed in here) and tracks who is
 * signed in. When the server
 * cannot be reached, the person last signed in here is signed in offline; their first request once the
 * network is back renews the session through the cookie (or ends it, if it is over).
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  // Nobody has signed in on this browser (or they signed out): there is no session to restore, and
  // asking would only earn a 401.
  const [status, setStatus] = useState<AuthStatus>(() =>
    localStorage.getItem(LAST_USER) === null ? 'signed-out' : 'checking',
  );
  const [user, setUser] = useState<User | null>(null);
  const [endedReason, setEndedReason] = useState<'expired' | null>(null);
  const [restoreError, setRestoreError] = useState<unknown>(null);
  const [restoreAttempt, setRestoreAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    if (localStorage.getItem(LAST_USER) === null) return;
    refreshSession().then(
      (restored) => {
        if (!active) return;
        remember(restored);
        setUser(restored);
        setStatus(restored ? 'signed-in' : 'signed-out');
      },
      (error: unknown) => {
        if (!active) return;
        const last = error instanceof ApiError && error.isNetwork && localStorage.getItem(LAST_USER);
        if (last) {
          setUser(JSON.parse(last) as User);
          setStatus('signed-in');
        } else setRestoreError(error);
      },
    );
    return () => {
      active = false;
    };
  }, [restoreAttempt]);

  useEffect(
    () =>
      onSessionEnded(() => {
        remember(null);
        setUser(null);
        setStatus('signed-out');
        setEndedReason('expired');
      }),
    [],
  );

  const signedIn = useCallback((next: User) => {
    remember(next);
    setUser(next);
    setStatus('signed-in');
    setEndedReason(null);
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      status,
      user,
      endedReason,
      restoreError,
      signIn: async (input: LoginInput) => signedIn(await login(input)),
      signUp: async (input: RegisterInput) => signedIn(await register(input)),
      signOut: async () => {
        try {
          await logout();
        } finally {
          // Signing out on purpose leaves nothing of this person behind in the tab (drafts included).
          sessionStorage.clear();
          remember(null);
          setUser(null);
          setStatus('signed-out');
          setEndedReason(null);
        }
      },
      retryRestore: () => {
        setRestoreError(null);
        setRestoreAttempt((attempt) => attempt + 1);
      },
    }),
    [status, user, endedReason, restoreError, signedIn],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
