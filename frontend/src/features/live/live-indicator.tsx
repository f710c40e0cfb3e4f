import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useAuth } from '../auth';
import VerificationBanner from '../notifications/verification-banner';
import NotificationBell from '../notifications/notification-bell';
import { useLiveState, type LiveState } from './live-state';
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
    const sync = new LiveSync(client, userId);
    void sync.start();
    return () => sync.stop();
  }, [client, userId]);
  // The offline app (service worker, update prompt) starts after the signed-in first screen.
  useEffect(() => {
    import('../offline').then(
      (offline) => offline.startOfflineApp(),
      () => undefined,
    );
  }, []);
  const label = LABELS[useLiveState()];
  return (
    <>
      <span role="status" className="flex items-center gap-1.5 text-sm text-muted" title={label.title}>
        <span aria-hidden="true" className={`size-2 rounded-full ${label.dot}`} />
        <span className="sr-only">Live updates: </span>
        {label.text}
      </span>
      <NotificationBell />
      <VerificationBanner />
    </>
  );
}
