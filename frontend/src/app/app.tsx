import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ToastProvider } from '../components/ui/toast-provider';
import { AuthProvider } from '../features/auth/auth-provider';
import { RequireAuth } from '../features/auth/components/require-auth';
import { NotFoundPage } from './not-found-page';

// Each first screen loads only its own page: a returning, signed-in person never fetches the sign-in
// form, and everything behind sign-in (TanStack Query with it) is fetched only after sign-in.
const AuthPage = lazy(() =>
  import('../features/auth/components/auth-page').then((module) => ({ default: module.AuthPage })),
);
const AppShell = lazy(() => import('./app-shell').then((module) => ({ default: module.AppShell })));
const TasksPage = lazy(() =>
  import('../features/tasks/components/tasks-page').then((module) => ({ default: module.TasksPage })),
);
const DashboardPage = lazy(() =>
  import('../features/stats/components/dashboard-page').then((module) => ({ default: module.DashboardPage })),
);

function Loading() {
  return (
    <p className="muted page-loading" role="status">
      Loading…
    </p>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <ToastProvider>
          <a className="skip-link" href="#main">
            Skip to content
          </a>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/signin" element={<AuthPage mode="signin" />} />
              <Route path="/signup" element={<AuthPage mode="signup" />} />
              <Route
                element={
                  <RequireAuth>
                    <AppShell />
                  </RequireAuth>
                }
              >
                <Route index element={<Navigate to="/tasks" replace />} />
                <Route
                  path="tasks"
                  element={
                    <Suspense fallback={<Loading />}>
                      <TasksPage />
                    </Suspense>
                  }
                />
                <Route
                  path="dashboard"
                  element={
                    <Suspense fallback={<Loading />}>
                      <DashboardPage />
                    </Suspense>
                  }
                />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </ToastProvider>
      </AuthProvider>
    </BrowserRouter>
  );
}
