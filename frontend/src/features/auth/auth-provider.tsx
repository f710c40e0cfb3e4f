import type { LoginInput, RegisterInput, User } from '@primo/api/contract/wire';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { onSessionEnded, refreshSession } from '../../lib/api-client';
import { login, logout, register } from './api/auth.api';
import { AuthContext, type AuthState, type AuthStatus } from './auth-context';

/** Restores the session from the refresh cookie on load and tracks who is signed in. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('checking');
  const [user, setUser] = useState<User | null>(null);
  const [endedReason, setEndedReason] = useState<'expired' | null>(null);
  const [restoreError, setRestoreError] = useState<unknown>(null);
  const [restoreAttempt, setRestoreAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    refreshSession().then(
      (restored) => {
        if (!active) return;
        setUser(restored);
        setStatus(restored ? 'signed-in' : 'signed-out');
      },
      (error: unknown) => {
        if (active) setRestoreError(error);
      },
    );
    return () => {
      active = false;
    };
  }, [restoreAttempt]);

  useEffect(
    () =>
      onSessionEnded(() => {
        setUser(null);
        setStatus('signed-out');
        setEndedReason('expired');
      }),
    [],
  );

  const signedIn = useCallback((next: User) => {
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
