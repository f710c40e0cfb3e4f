import type { Task, UpdateTaskInput } from '@primo/api/contract/wire';
import { keepPreviousData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { PROJECTS_QUERY_ROOT } from '../../../lib/query-roots';
import { applyPatch, invalidateTaskViews, replaceCachedTask, restoreLists, snapshotLists } from './task-cache';
import type { TaskFilters } from './task-filters';
import { listTasks, taskKeys, updateTask } from './tasks.api';

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
 * A one-click change (complete, reopen): shown at once, rolled back if the server refuses.
 * A 412 means someone else changed the task: the latest version is fetched and shown.
 * Writes are plain async functions over the cache helpers rather than `useMutation`, whose observer
 * would add almost 1 kB gzipped to the first screen for state these callers never read.
 */
export function useQuickUpdate() {
  const client = useQueryClient();
  const toast = useToast();
  return useMemo(() => {
    const mutate = async (variables: PatchVariables): Promise<void> => {
      const { task, patch } = variables;
      const snapshot = await snapshotLists(client);
      replaceCachedTask(client, applyPatch(task, patch));
      try {
        replaceCachedTask(client, await updateTask(task, patch));
      } catch (error) {
        restoreLists(client, snapshot);
        if (error instanceof ApiError && error.status === 412) {
          toast.show({ tone: 'error', message: describeError(error), durationMs: 8000 });
          return;
        }
        // A role taken away or a membership ended since the list was read: the projects say so now.
        if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
          void client.invalidateQueries({ queryKey: PROJECTS_QUERY_ROOT });
        }
        toast.show({
          tone: 'error',
          message:
            error instanceof ApiError && error.status === 404
              ? `“${task.title}” is not available any more: it was deleted, or you are no longer a member of its project.`
              : `“${task.title}” was not changed. ${describeError(error)}`,
          ...(error instanceof ApiError && error.isTransient
            ? { action: { label: 'Retry', onClick: () => void mutate(variables) } }
            : {}),
        });
      } finally {
        void invalidateTaskViews(client);
      }
    };
    return { mutate: (variables: PatchVariables) => void mutate(variables) };
  }, [client, toast]);
}
