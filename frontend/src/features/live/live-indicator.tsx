import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { usePendingWrites } from '../../lib/pending-writes';
import { useAuth } from '../auth';
import NotificationBell from '../notifications/notification-bell';
import { useLiveState, type LiveState } from './live-state';
import type { Outbox } from '../offline';
import { LiveSync } from './live-sync';

const LABELS: Record<LiveState, { text: string; title: string; dot: string }> = {
  connecting: { text: 'Connecting…', title: 'Connecting for live updates.', dot: 'bg-border' },
  live: { text: 'Live', title: 'Changes by anyone in your projects appear here as they happen.', dot: 'bg-success' },
  reconnecting: {
    text: 'Reconnecting…',
    title: 'The live connection dropped. It is retried on its own; missed changes are fetched when it is back.',
    dot: 'bg-warning',
  },
  offline: {
    text: 'Offline',
    title: 'No network. Changes by others appear when the connection is back.',
    dot: 'bg-danger',
  },
};

/** This build, as the entry script's hashed name: a new deployment starts from an empty saved cache. */
function currentBuild(): string {
  return document.querySelector('script[type="module"][src]')?.getAttribute('src') ?? 'development';
}

/** When the cache last heard from the server: the newest answer any query holds, or null. */
function lastAnswerAt(client: QueryClient): number | null {
  let newest = 0;
  for (const query of client.getQueryCache().getAll()) newest = Math.max(newest, query.state.dataUpdatedAt);
  return newest > 0 ? newest : null;
}

/**
 * Under the header while there is no network: what the screens show and how old it is (it follows the
 * cache, so it is right once the saved cache has been restored).
 */
function OfflineBanner() {
  const client = useQueryClient();
  const unsynced = usePendingWrites().size;
  const seenAt = useSyncExternalStore(
    (onChange) => client.getQueryCache().subscribe(onChange),
    () => lastAnswerAt(client),
  );
  const time = seenAt === null ? null : new Date(seenAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    // Announced politely on its own; not a second `status` beside the header's live state.
    <p className="w-full rounded-sm bg-warning-bg px-3 py-2 text-sm text-warning" aria-live="polite">
      {time === null
        ? 'Offline — nothing saved to show yet; this page fills in once the connection is back.'
        : `Offline — showing what you saw at ${time}.`}
      {unsynced > 0 &&
        ` Changes to ${unsynced} task${unsynced === 1 ? ' are' : 's are'} saved on this device and sent once the connection is back.`}
    </p>
  );
}

/**
 * The header's live part. Keeps this session's cache in step with every change in the person's
 * projects for as long as it is mounted (signing out unmounts it, which closes the connection),
 * says how the connection is, and shows the notification bell beside it.
 */
export default function LiveIndicator() {
  const client = useQueryClient();
  const userId = useAuth().user?.id;
  useEffect(() => {
    if (userId === undefined) return;
    let active = true;
    let outbox: Outbox | undefined;
    let stopSaving: (() => void) | undefined;
    // Changes kept on this device go out after every catch-up, so they meet the latest versions.
    const sync = new LiveSync(client, userId, () => void outbox?.flush());
    void sync.start();
    // After the signed-in first screen: the offline app (service worker, update prompt, conflicts),
    // this person's cache kept in IndexedDB and restored from it (what a page opened offline shows),
    // and their outbox of changes made offline.
    import('../offline').then(
      (offline) => {
        offline.startOfflineApp();
        if (!active) return;
        stopSaving = offline.persistQueries(client, userId, currentBuild());
        outbox = offline.openOutbox(client, userId, () => sync.whenCaughtUp());
        void outbox.loaded.then(() => outbox?.flush());
      },
      () => undefined,
    );
    return () => {
      active = false;
      stopSaving?.();
      outbox?.close();
      sync.stop();
    };
  }, [client, userId]);
  const state = useLiveState();
  const label = LABELS[state];
  const unsynced = usePendingWrites().size;
  return (
    <>
      <span role="status" className="flex items-center gap-1.5 text-sm text-muted" title={label.title}>
        <span aria-hidden="true" className={`size-2 rounded-full ${label.dot}`} />
        <span className="sr-only">Live updates: </span>
        {label.text}
      </span>
      {unsynced > 0 && state !== 'offline' && (
        <span className="text-sm text-warning">
          Syncing {unsynced} task{unsynced === 1 ? '' : 's'}…
        </span>
      )}
      <NotificationBell />
      {state === 'offline' && <OfflineBanner />}
    </>
  );
}
