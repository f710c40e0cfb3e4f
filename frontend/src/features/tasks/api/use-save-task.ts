import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { createKeys } from '../../../lib/idempotency';
import { saveTask, type SaveResult, type SaveVariables } from './task-writes';

export type { SaveResult, SaveVariables } from './task-writes';

/**
 * Saves the task form. Not optimistic: the form stays open with its input until the server accepts it,
 * or, when the server cannot be reached, until the change is kept in this device's outbox.
 */
export function useSaveTask(userId: string) {
  const client = useQueryClient();
  const [isPending, setPending] = useState(false);
  // One key per create attempt for this form, kept across retries of the same input.
  const [keys] = useState(createKeys);
  const mutateAsync = async (variables: SaveVariables): Promise<SaveResult> => {
    setPending(true);
    try {
      const key = variables.kind === 'create' ? keys.keyFor(variables.input) : crypto.randomUUID();
      const result = await saveTask(client, userId, variables, key);
      if (variables.kind === 'create') keys.settled();
      return result;
    } finally {
      setPending(false);
    }
  };
  return { isPending, mutateAsync };
}
