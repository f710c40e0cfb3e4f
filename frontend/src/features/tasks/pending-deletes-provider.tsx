import type { Task } from '@primo/api/contract/wire';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useToast } from '../../components/ui/toast-context';
import { useAuth } from '../auth';
import { PendingDeletesContext, type PendingDeletes } from './pending-deletes-context';

export const UNDO_WINDOW_MS = 8000;

/**
 * Delete with a real undo: the API has no un-delete, so the task is only hidden while the undo
 * toast is up and the DELETE goes out when it closes. Undo therefore restores the very same task
 * (same id, history and version), not a copy.
 */
export function PendingDeletesProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const toast = useToast();
  const userId = useAuth().user?.id ?? '';
  const [hiddenIds, setHiddenIds] = useState<ReadonlySet<string>>(new Set());
  const pending = useRef(new Map<string, { task: Task; toastId: number }>());

  const unhide = useCallback((id: string) => {
    setHiddenIds((current) => {
      const next = new Set(current);
      next.delete(id);
      return next;
    });
  }, []);

  const send = useCallback(
    async (task: Task, keepalive: boolean): Promise<void> => {
      try {
        const writes = await import('./api/task-writes');
        await writes.sendDelete(client, toast, userId, task, keepalive);
      } finally {
        unhide(task.id);
      }
    },
    [client, toast, unhide, userId],
  );

  /** Sends a scheduled deletion once: whichever of timeout, dismiss, flush or page-hide comes first. */
  const commit = useCallback(
    (task: Task, keepalive = false): Promise<void> =>
      pending.current.delete(task.id) ? send(task, keepalive) : Promise.resolve(),
    [send],
  );

  const scheduleDelete = useCallback(
    (task: Task) => {
      setHiddenIds((current) => new Set(current).add(task.id));
      // Fetched now, so the deletion can still go out if the page is left before the undo window closes.
      void import('./api/task-writes').catch(() => undefined);
      const toastId = toast.show({
        message: `Deleted “${task.title}”.`,
        durationMs: UNDO_WINDOW_MS,
        action: {
          label: 'Undo',
          onClick: () => {
            pending.current.delete(task.id);
            unhide(task.id);
            toast.show({ tone: 'success', message: `Restored “${task.title}”.` });
          },
        },
        onExpire: () => void commit(task),
      });
      pending.current.set(task.id, { task, toastId });
    },
    [toast, commit, unhide],
  );

  const flush = useCallback(async () => {
    const entries = [...pending.current.values()];
    await Promise.all(
      entries.map(({ task, toastId }) => {
        const sent = commit(task);
        toast.dismiss(toastId);
        return sent;
      }),
    );
  }, [toast, commit]);

  useEffect(() => {
    // Leaving the page ends the undo window: send the deletions with keepalive so they survive the unload.
    const onPageHide = () => {
      for (const { task } of pending.current.values()) void commit(task, true);
    };
    window.addEventListener('pagehide', onPageHide);
    return () => window.removeEventListener('pagehide', onPageHide);
  }, [commit]);

  const value = useMemo<PendingDeletes>(
    () => ({ hiddenIds, scheduleDelete, flush }),
    [hiddenIds, scheduleDelete, flush],
  );
  return <PendingDeletesContext.Provider value={value}>{children}</PendingDeletesContext.Provider>;
}
