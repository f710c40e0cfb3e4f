import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ComponentType } from 'react';
import { Outlet } from 'react-router';
import { Button } from '../components/ui/button';
import { NavLink } from '../components/ui/links';
import { useAuth } from '../features/auth/auth-context';
import { VerificationBanner } from '../features/notifications/verification-banner';
import { usePendingDeletes } from '../features/tasks/pending-deletes-context';
import { PendingDeletesProvider } from '../features/tasks/pending-deletes-provider';
import { unsyncedCount } from '../lib/pending-writes';
import { createQueryClient } from './query-client';

// Loaded after the first screen, with the Socket.IO client behind it and the notification bell
// beside it. Should it fail to load, the views keep refreshing on their own.
const LiveIndicator = lazy<ComponentType>(() =>
  import('../features/live/live-indicator').catch(() => ({ default: () => null })),
);

const navLinkClass = 'rounded-sm px-3 py-2 font-medium aria-[current=page]:bg-info-bg aria-[current=page]:text-primary';

function Header() {
  const { user, signOut } = useAuth();
  const { flush } = usePendingDeletes();
  const [leaving, setLeaving] = useState(false);
  return (
    <header className="border-b border-border bg-surface">
      <div className="mx-auto flex max-w-content flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3">
        <span className="font-extrabold tracking-tight text-primary">Primo</span>
        <nav aria-label="Main" className="flex gap-2">
          <NavLink to="/tasks" className={navLinkClass}>
            Tasks
          </NavLink>
          <NavLink to="/dashboard" className={navLinkClass}>
            Dashboard
          </NavLink>
        </nav>
        <div className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-3">
          <Suspense>
            <LiveIndicator />
          </Suspense>
          <span className="max-w-48 truncate" title={user?.email}>
            {user?.name}
          </span>
          <Button
            size="small"
            disabled={leaving}
            onClick={async () => {
              // Signing out deletes what this device keeps for the person, the outbox with it.
              const unsynced = unsyncedCount();
              if (
                unsynced > 0 &&
                !window.confirm(
                  `Changes to ${unsynced} task${unsynced === 1 ? '' : 's'} have not reached the server yet, and signing out discards them. Sign out anyway?`,
                )
              ) {
                return;
              }
              setLeaving(true);
              await flush();
              await signOut();
            }}
          >
            Sign out
          </Button>
        </div>
        {user && <VerificationBanner sessionUser={user} />}
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
        <main
          id="main"
          className="mx-auto max-w-content px-4 pt-6 pb-8 focus:outline-none max-sm:px-3 max-sm:pt-4"
          tabIndex={-1}
        >
          <Outlet />
        </main>
      </PendingDeletesProvider>
    </QueryClientProvider>
  );
}
