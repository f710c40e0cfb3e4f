import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { Outlet } from 'react-router';
import { NavLink } from '../components/ui/links';
import { useAuth } from '../features/auth/auth-context';
import { usePendingDeletes } from '../features/tasks/pending-deletes-context';
import { PendingDeletesProvider } from '../features/tasks/pending-deletes-provider';
import { createQueryClient } from './query-client';

function Header() {
  const { user, signOut } = useAuth();
  const { flush } = usePendingDeletes();
  const [leaving, setLeaving] = useState(false);
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <span className="brand">Primo</span>
        <nav aria-label="Main">
          <NavLink to="/tasks">Tasks</NavLink>
          <NavLink to="/dashboard">Dashboard</NavLink>
        </nav>
        <div className="app-header__user">
          <span className="app-header__name" title={user?.email}>
            {user?.name}
          </span>
          <button
            type="button"
            className="button button--small"
            disabled={leaving}
            onClick={async () => {
              setLeaving(true);
              await flush();
              await signOut();
            }}
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}

/**
 * Everything behind sign-in. The query cache is created here, per session: signing out unmounts it,
 * so the next person on this browser can never see the previous person's cached tasks.
 */
export function AppShell() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <PendingDeletesProvider>
        <Header />
        <main id="main" className="app-main" tabIndex={-1}>
          <Outlet />
        </main>
      </PendingDeletesProvider>
    </QueryClientProvider>
  );
}
