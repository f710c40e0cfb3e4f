import { useLiveStatus } from './live-context';

const labels = { live: 'Live', connecting: 'Connecting…', offline: 'Offline' } as const;
const tones = { live: 'text-status-done', connecting: 'text-muted', offline: 'text-warning' } as const;

/** Whether other people's changes arrive on their own: a dot and a word, announced politely. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span
      role="status"
      data-live={status}
      className={`inline-flex items-center gap-1 text-sm ${tones[status]}`}
      title={status === 'live' ? 'Changes by others appear as they happen' : 'Changes appear after a reload'}
    >
      <span aria-hidden="true" className="inline-block size-2 rounded-full bg-current" />
      {labels[status]}
    </span>
  );
}
