import type { CreateTaskInput, Task, UpdateTaskInput } from '@primo/api/contract/wire';
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useToast } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { applyPatch, invalidateTaskViews, replaceCachedTask, restoreLists, snapshotLists } from './task-cache';
import type { TaskFilters } from './task-filters';
import { createTask, listTasks, taskKeys, updateTask } from './tasks.api';

/** One filtered, sorted list walked page by page through the API's cursor. */
export function useTaskList(filters: TaskFilters) {
  const query = useInfiniteQuery({
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
 */
export function useQuickUpdate() {
  const client = useQueryClient();
  const toast = useToast();
  const mutation = useMutation({
    mutationFn: ({ task, patch }: PatchVariables) => updateTask(task, patch),
    onMutate: async ({ task, patch }) => {
      const snapshot = await snapshotLists(client);
      replaceCachedTask(client, applyPatch(task, patch));
      return { snapshot };
    },
    onError: (error, variables, context) => {
      if (context) restoreLists(client, context.snapshot);
      if (error instanceof ApiError && error.status === 412) {
        toast.show({ tone: 'error', message: describeError(error), durationMs: 8000 });
        return;
      }
      toast.show({
        tone: 'error',
        message: `“${variables.task.title}” was not changed. ${describeError(error)}`,
        ...(error instanceof ApiError && error.isTransient
          ? { action: { label: 'Retry', onClick: () => mutation.mutate(variables) } }
          : {}),
      });
    },
    onSuccess: (saved) => replaceCachedTask(client, saved),
    onSettled: () => invalidateTaskViews(client),
  });
  return mutation;
}

export type SaveVariables =
  { kind: 'create'; input: CreateTaskInput } | { kind: 'update'; base: Task; patch: UpdateTaskInput };

/** Saves the task form. Not optimistic: the form stays open with its input until the server accepts it. */
export function useSaveTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: SaveVariables) =>
      variables.kind === 'create' ? createTask(variables.input) : updateTask(variables.base, variables.patch),
    onSuccess: (saved, variables) => {
      if (variables.kind === 'update') replaceCachedTask(client, saved);
      void invalidateTaskViews(client);
    },
  });
}
