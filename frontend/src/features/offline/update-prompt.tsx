import { useRegisterSW } from 'virtual:pwa-register/react';
import { Button } from '../../components/ui/button';

/** How often an open tab asks the server for a newer service worker (a deploy), besides every load. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export interface UpdateBannerProps {
  needRefresh: boolean;
  offlineReady: boolean;
  onReload: () => void;
  onDismiss: () => void;
}

/** The banner that offers a newly deployed version, or says once that the app now opens offline. */
export function UpdateBanner({ needRefresh, offlineReady, onReload, onDismiss }: UpdateBannerProps) {
  return (
    <div role="status" aria-live="polite" className="fixed bottom-4 left-4 z-70 w-[min(calc(100%-2rem),24rem)]">
      {(needRefresh || offlineReady) && (
        <div className="flex items-center gap-2 rounded-md border border-l-4 border-border border-l-primary bg-surface py-3 pr-3 pl-4 shadow-lg">
          <p className="flex-1 text-sm">
            {needRefresh ? 'A new version of Primo is available.' : 'Primo now opens without a connection too.'}
          </p>
          {needRefresh && (
            <Button size="small" onClick={onReload}>
              Reload
            </Button>
          )}
          <Button variant="ghost" size="small" onClick={onDismiss}>
            {needRefresh ? 'Later' : 'OK'}
          </Button>
        </div>
      )}
    </div>
  );
}

/**
 * Registers the service worker and offers each new deployment: the new worker waits until the person
 * chooses Reload (never a silently stale or silently swapped app), then takes over and the page reloads.
 */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update(), UPDATE_CHECK_MS);
    },
  });
  return (
    <UpdateBanner
      needRefresh={needRefresh}
      offlineReady={offlineReady}
      onReload={() => {
        // The waiting worker takes over, then the page reloads under it. The registration reloads by
        // itself only when the page had a worker before it registered, not on a tab open since the
        // first install, so the page listens too (a second reload during the first changes nothing).
        navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
        void updateServiceWorker(true);
      }}
      onDismiss={() => {
        setNeedRefresh(false);
        setOfflineReady(false);
      }}
    />
  );
}
