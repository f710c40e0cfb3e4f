import type { Task, UpdateTaskInput } from '@primo/api/contract/wire';
import { keepPreviousData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useToast } from '../../../components/ui/toast-context';
import type { TaskFilters } from './task-filters';
import { listTasks, taskKeys } from './tasks.api';

/** One filtered, sorted list walked page by page through the API's cursor; nothing is fetched while `enabled` is false. */
export function useTaskList(filters: TaskFilters, enabled = true) {
  const query = useInfiniteQuery({
    enabled,
    queryKey: taskKeys.list(filters),
    queryFn: ({ pageParam, signal }) => listTasks(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    // Keeps the current rows on screen while the next search term loads instead of flashing empty.
    placeholderData: keepPreviousData,
  });
  const tasks = useMemo(() => {
    const seen = new Set<string>();
    const all: Task[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const task of page.data) {
        if (seen.has(task.id)) continue;
        seen.add(task.id);
        all.push(task);
      }
    }
    return all;
  }, [query.data]);
  return { ...query, tasks };
}

interface PatchVariables {
  task: Task;
  patch: UpdateTaskInput;
}

/**
 * A one-click change (complete, reopen), shown at once; its code (and the outbox behind it) loads
 * with the first such click. Writes are plain async functions over the cache helpers rather than
 * `useMutation`, whose observer would add almost 1 kB gzipped to the first screen for state these
 * callers never read.
 */
export function useQuickUpdate(userId: string) {
  const client = useQueryClient();
  const toast = useToast();
  return useMemo(
    () => ({
      mutate: ({ task, patch }: PatchVariables) =>
        void import('./task-writes').then((writes) => writes.quickUpdate(client, toast, userId, task, patch)),
    }),
    [client, toast, userId],
  );
}
