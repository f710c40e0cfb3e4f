import type { CreateTaskInput, Task, UpdateTaskInput } from '@primo/api/contract/wire';
import type { QueryClient } from '@tanstack/react-query';
import type { Toaster } from '../../../components/ui/toast-context';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { PROJECTS_QUERY_ROOT } from '../../../lib/query-roots';
import type { Outbox } from '../../offline';
import {
  applyPatch,
  invalidateTaskViews,
  removeCachedTask,
  replaceCachedTask,
  restoreLists,
  snapshotLists,
} from './task-cache';
import { createTask, deleteTask, updateTask } from './tasks.api';

// The task writes the screens make, loaded on first use. Each goes to the server at once, or into the
// outbox when it cannot: offline, no answer (the same Idempotency-Key goes with the queued copy, so
// a request that did arrive is not applied twice), or earlier changes of the same task still queued.

export const QUEUED_MESSAGE = 'Saved on this device. It is sent once the connection is back.';

export type SaveVariables =
  { kind: 'create'; input: CreateTaskInput } | { kind: 'update'; base: Task; patch: UpdateTaskInput };

export interface SaveResult {
  task: Task;
  /** Kept on this device for now, not on the server yet. */
  queued: boolean;
}

async function outboxOf(client: QueryClient, userId: string): Promise<Outbox> {
  const { openOutbox } = await import('../../offline');
  const outbox = openOutbox(client, userId);
  // Without a readable outbox (no IndexedDB) writes go straight out, as they would without one.
  await outbox.loaded.catch(() => undefined);
  return outbox;
}

const noAnswer = (error: unknown) => error instanceof ApiError && error.isNetwork;

/** Keeps a write in the outbox and has the outbox send what it can (nothing, while offline). */
async function keep<T>(outbox: Outbox, queue: () => Promise<T>): Promise<T> {
  const kept = await queue();
  void outbox.flush();
  return kept;
}

/** Saves the task form; a refusal is thrown for the form to show, with nothing queued. */
export async function saveTask(
  client: QueryClient,
  userId: string,
  variables: SaveVariables,
  key: string,
): Promise<SaveResult> {
  const outbox = await outboxOf(client, userId);
  const queue = (): Promise<Task> =>
    variables.kind === 'create'
      ? outbox.queueCreate(variables.input, key)
      : outbox.queueUpdate(variables.base, variables.patch, key);
  if (outbox.mustQueue(variables.kind === 'update' ? variables.base.id : undefined)) {
    return { task: await keep(outbox, queue), queued: true };
  }
  try {
    const task =
      variables.kind === 'create'
        ? await createTask(variables.input, key)
        : await updateTask(outbox.resolve(variables.base), variables.patch, key);
    if (variables.kind === 'update') replaceCachedTask(client, task);
    void invalidateTaskViews(client);
    return { task, queued: false };
  } catch (error) {
    if (!noAnswer(error)) throw error;
    return { task: await keep(outbox, queue), queued: true };
  }
}

/**
 * A one-click change (complete, reopen): shown at once, rolled back if the server refuses.
 * A 412 means someone else changed the task: the latest version is fetched and shown.
 */
export async function quickUpdate(
  client: QueryClient,
  toast: Toaster,
  userId: string,
  task: Task,
  patch: UpdateTaskInput,
): Promise<void> {
  const outbox = await outboxOf(client, userId);
  const key = crypto.randomUUID();
  if (outbox.mustQueue(task.id)) {
    // Shown before it is stored, so the click is answered at once.
    replaceCachedTask(client, applyPatch(task, patch));
    await keep(outbox, () => outbox.queueUpdate(task, patch, key));
    return;
  }
  const snapshot = await snapshotLists(client);
  replaceCachedTask(client, applyPatch(task, patch));
  try {
    replaceCachedTask(client, await updateTask(outbox.resolve(task), patch, key));
  } catch (error) {
    restoreLists(client, snapshot);
    if (noAnswer(error)) {
      await keep(outbox, () => outbox.queueUpdate(task, patch, key));
      return;
    }
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
        ? { action: { label: 'Retry', onClick: () => void quickUpdate(client, toast, userId, task, patch) } }
        : {}),
    });
  } finally {
    void invalidateTaskViews(client);
  }
}

/** Deletes a task whose undo window has closed. */
export async function sendDelete(
  client: QueryClient,
  toast: Toaster,
  userId: string,
  task: Task,
  keepalive: boolean,
): Promise<void> {
  const outbox = await outboxOf(client, userId);
  const key = crypto.randomUUID();
  try {
    if (outbox.mustQueue(task.id)) {
      await keep(outbox, () => outbox.queueDelete(task, key));
      return;
    }
    try {
      await deleteTask(outbox.resolve(task), { keepalive, idempotencyKey: key });
      removeCachedTask(client, task.id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        removeCachedTask(client, task.id);
      } else if (noAnswer(error)) {
        await keep(outbox, () => outbox.queueDelete(task, key));
      } else if (error instanceof ApiError && error.status === 412) {
        toast.show({ tone: 'error', message: `“${task.title}” was changed elsewhere, so it was not deleted.` });
      } else {
        toast.show({
          tone: 'error',
          message: `“${task.title}” was not deleted. ${describeError(error)}`,
          action: { label: 'Retry', onClick: () => void sendDelete(client, toast, userId, task, false) },
        });
      }
    }
  } finally {
    void invalidateTaskViews(client);
  }
}
