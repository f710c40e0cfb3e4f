import { Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, useLocation, useRoutes, type RouteObject } from 'react-router';
import { ErrorBoundary } from '../components/ui/error-boundary';
import { ToastProvider } from '../components/ui/toast-provider';
import { AuthProvider } from '../features/auth/auth-provider';
import { RequireAuth } from '../features/auth/components/require-auth';
import { retryableLazy } from '../lib/retryable-lazy';
import { NotFoundPage } from './not-found-page';

// Each first screen loads only its own page: a returning, signed-in person never fetches the sign-in
// form, and everything behind sign-in (TanStack Query with it) is fetched only after sign-in.
// A chunk that fails to load shows Retry (see RouteBoundary), which fetches it again.
const AuthPage = retryableLazy(() => import('../features/auth/components/auth-page').then((module) => module.AuthPage));
const AppShell = retryableLazy(() => import('./app-shell').then((module) => module.AppShell));
const TasksPage = retryableLazy(() =>
  import('../features/tasks/components/tasks-page').then((module) => module.TasksPage),
);
const InvitePage = retryableLazy(() =>
  import('../features/projects/components/invite-page').then((module) => module.InvitePage),
);
const AccountLinkPage = retryableLazy(() =>
  import('../features/auth/components/account-link-pages').then((module) => module.AccountLinkPage),
);
const DashboardPage = retryableLazy(() =>
  import('../features/stats/components/dashboard-page').then((module) => module.DashboardPage),
);

function Loading() {
  return (
    <p className="p-6 text-center text-muted" role="status">
      Loading…
    </p>
  );
}

/** A route's error boundary and loading state; moving to another route clears a shown error. */
function RouteBoundary({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <ErrorBoundary resetKey={pathname}>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </ErrorBoundary>
  );
}

/**
 * Every address of the app, as route objects for `useRoutes` (`<Routes>`/`<Route>` would also ship
 * React Router's translation of JSX children into these objects).
 */
const routes: RouteObject[] = [
  { path: '/signin', element: <AuthPage mode="signin" /> },
  { path: '/signup', element: <AuthPage mode="signup" /> },
  // Outside the signed-in shell: a signed-out visitor is asked to sign in or up right here.
  { path: '/invite/:token', element: <InvitePage /> },
  // The pages of emailed links, signed in or not.
  ...['/forgot-password', '/reset-password', '/verify-email'].map((path) => ({ path, element: <AccountLinkPage /> })),
  {
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <Navigate to="/tasks" replace /> },
      {
        path: 'tasks',
        element: (
          <RouteBoundary>
            <TasksPage />
          </RouteBoundary>
        ),
      },
      {
        path: 'dashboard',
        element: (
          <RouteBoundary>
            <DashboardPage />
          </RouteBoundary>
        ),
      },
    ],
  },
  { path: '*', element: <NotFoundPage /> },
];

function AppRoutes() {
  return useRoutes(routes);
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <ToastProvider>
          <a
            className="absolute -top-25 left-2 z-100 rounded-sm bg-surface px-3 py-2 text-primary underline focus:top-2"
            href="#main"
          >
            Skip to content
          </a>
          <RouteBoundary>
            <AppRoutes />
          </RouteBoundary>
        </ToastProvider>
      </AuthProvider>
    </BrowserRouter>
  );
}
