import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ToastProvider } from '../components/ui/toast-provider';
import { AuthProvider } from '../features/auth/auth-provider';
import { AuthPage } from '../features/auth/components/auth-page';
import { RequireAuth } from '../features/auth/components/require-auth';
import { NotFoundPage } from './not-found-page';

// Everything behind sign-in (and TanStack Query with it) loads on demand, keeping the first screen small.
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
