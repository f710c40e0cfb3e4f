import type { CreateTaskInput, Task, UpdateTaskInput } from '@primo/api/contract/wire';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { createKeys } from '../../../lib/idempotency';
import { invalidateTaskViews, replaceCachedTask } from './task-cache';
import { createTask, updateTask } from './tasks.api';

export type SaveVariables =
  { kind: 'create'; input: CreateTaskInput } | { kind: 'update'; base: Task; patch: UpdateTaskInput };

/** Saves the task form. Not optimistic: the form stays open with its input until the server accepts it. */
export function useSaveTask() {
  const client = useQueryClient();
  const [isPending, setPending] = useState(false);
  // One key per create attempt for this form, kept across retries of the same input.
  const [keys] = useState(createKeys);
  const mutateAsync = async (variables: SaveVariables): Promise<Task> => {
    setPending(true);
    try {
      const saved =
        variables.kind === 'create'
          ? await createTask(variables.input, keys.keyFor(variables.input))
          : await updateTask(variables.base, variables.patch);
      if (variables.kind === 'create') keys.settled();
      if (variables.kind === 'update') replaceCachedTask(client, saved);
      void invalidateTaskViews(client);
      return saved;
    } finally {
      setPending(false);
    }
  };
  return { isPending, mutateAsync };
}
