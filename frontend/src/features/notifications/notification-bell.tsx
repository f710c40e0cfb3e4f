import type { Notification, NotificationList } from '@primo/api/contract/wire';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '../../components/ui/button';
import { apiRequest } from '../../lib/api-client';
import { describeError } from '../../lib/describe-error';
import { NOTIFICATIONS_QUERY_ROOT } from '../../lib/query-roots';
import { useLiveState } from '../live';

const SHOWN = 20;
/** Without the live connection, the count is asked for again this often. */
const POLL_MS = 60_000;

const listNotifications = (signal: AbortSignal) =>
  apiRequest<NotificationList>(`/notifications?limit=${SHOWN}`, { signal });
const markRead = (body: { ids: string[] } | { all: true }) =>
  apiRequest<void>('/notifications/read', { method: 'POST', body });

/** What a notification says, in one sentence. */
export function describeNotification(notification: Notification): string {
  const who = notification.actor?.name ?? 'Someone';
  const task = notification.task ? `“${notification.task.title}”` : 'a task';
  const project = notification.project?.name ?? 'a project';
  switch (notification.type) {
    case 'reminder':
      return `Reminder: ${task} in ${project}`;
    case 'assigned':
      return `${who} assigned you ${task} in ${project}`;
    case 'invited':
      return `${who} invited you to ${project} (the link is in your email)`;
    case 'member.added':
      return `${who} joined ${project}`;
  }
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The bell in the header: the unread count (kept current by the live connection, or every minute
 * without it) and a panel of the latest notifications; opening one marks it read and shows its
 * project, and all can be marked read at once.
 */
export default function NotificationBell() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const live = useLiveState() === 'live';
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useQuery({
    queryKey: NOTIFICATIONS_QUERY_ROOT,
    queryFn: ({ signal }) => listNotifications(signal),
    refetchInterval: live ? false : POLL_MS,
  });
  // A plain call, not useMutation: the task list's first screen shares the query library's chunk.
  const [marking, setMarking] = useState(false);
  const read = (body: { ids: string[] } | { all: true }) => {
    setMarking(true);
    markRead(body)
      .catch(() => undefined)
      .finally(() => {
        setMarking(false);
        void client.invalidateQueries({ queryKey: NOTIFICATIONS_QUERY_ROOT });
      });
  };

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  const unread = list.data?.unreadCount ?? 0;
  const items = list.data?.data ?? [];
  const openItem = (notification: Notification) => {
    if (!notification.read) read({ ids: [notification.id] });
    setOpen(false);
    const projectId = notification.task?.projectId ?? notification.project?.id;
    if (projectId) void navigate(`/tasks?project=${encodeURIComponent(projectId)}`);
  };

  return (
    <div className="relative">
      <Button
        ref={button}
        size="small"
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <span aria-hidden="true">🔔</span>
        {unread > 0 && (
          <span aria-hidden="true" className="rounded-full bg-primary px-1.5 text-xs font-bold text-white">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </Button>
      {open && (
        <section
          id={panelId}
          aria-label="Your notifications"
          className="absolute right-0 z-20 mt-2 w-80 max-w-[calc(100vw-1.5rem)] rounded-md border border-border bg-surface p-3 shadow-lg"
        >
          <div className="mb-2 flex items-center justify-between gap-2">
            <h2 className="font-bold">Your notifications</h2>
            <Button size="small" disabled={unread === 0 || marking} onClick={() => read({ all: true })}>
              Mark all read
            </Button>
          </div>
          {list.isPending && <p className="text-muted">Loading…</p>}
          {list.isError && (
            <p role="alert" className="text-danger">
              The notifications could not be loaded. {describeError(list.error)}
            </p>
          )}
          {list.isSuccess && items.length === 0 && <p className="text-muted">Nothing yet.</p>}
          {items.length > 0 && (
            <ul className="flex max-h-96 flex-col gap-1 overflow-y-auto">
              {items.map((notification) => (
                <li key={notification.id}>
                  <button
                    type="button"
                    className={`w-full rounded-sm px-2 py-1.5 text-left hover:bg-surface-2 ${notification.read ? 'text-muted' : 'font-medium'}`}
                    onClick={() => openItem(notification)}
                  >
                    {!notification.read && <span className="sr-only">Unread: </span>}
                    {describeNotification(notification)}
                    <span className="block text-xs text-muted">{when.format(new Date(notification.createdAt))}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
