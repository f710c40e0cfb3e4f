// The auth feature's public entry: what other features may use. The app composes the rest directly.
export { useAuth, type AuthState, type AuthStatus } from './auth-context';
export { SessionCheck } from './components/session-check';
