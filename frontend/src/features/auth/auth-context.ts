import type { LoginInput, RegisterInput, User } from '@primo/api/contract/wire';
import { createContext, useContext } from 'react';

export type AuthStatus = 'checking' | 'signed-in' | 'signed-out';

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  /** Why the last session ended without the person asking, for the sign-in page to say so. */
  endedReason: 'expired' | null;
  /** Set when the initial session check could not reach the server. */
  restoreError: unknown;
  signIn: (input: LoginInput) => Promise<void>;
  signUp: (input: RegisterInput) => Promise<void>;
  signOut: () => Promise<void>;
  retryRestore: () => void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth needs an <AuthProvider> above it');
  return auth;
}
