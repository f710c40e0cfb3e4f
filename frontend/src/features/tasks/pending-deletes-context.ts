import type { Task } from '@primo/api/contract/wire';
import { createContext, useContext } from 'react';

export interface PendingDeletes {
  /** Tasks deleted on screen whose deletion is still undoable; lists hide them. */
  hiddenIds: ReadonlySet<string>;
  /** Hides the task now and deletes it on the server once the undo window closes. */
  scheduleDelete: (task: Task) => void;
  /** Sends every pending deletion now (before signing out or leaving the page). */
  flush: () => Promise<void>;
}

export const PendingDeletesContext = createContext<PendingDeletes | null>(null);

export function usePendingDeletes(): PendingDeletes {
  const value = useContext(PendingDeletesContext);
  if (!value) throw new Error('usePendingDeletes needs a <PendingDeletesProvider> above it');
  return value;
}
