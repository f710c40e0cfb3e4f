import type { Task, TaskList, UpdateTaskInput } from '@primo/api/contract/wire';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { PROJECTS_QUERY_ROOT } from '../../../lib/query-roots';
import { taskKeys } from './tasks.api';

type ListData = InfiniteData<TaskList, string | null>;

/** What the server will most likely answer for a patch, so the screen can show it before it does. */
export function applyPatch(task: Task, patch: UpdateTaskInput, now: Date = new Date()): Task {
  const next: Task = {
    ...task,
    ...(patch.title !== undefined && { title: patch.title.trim() }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.priority !== undefined && { priority: patch.priority }),
    ...(patch.dueDate !== undefined && { dueDate: patch.dueDate }),
    ...(patch.tags !== undefined && { tags: patch.tags.map((tag) => tag.trim().toLowerCase()) }),
    updatedAt: now.toISOString(),
  };
  if (patch.status !== undefined && patch.status !== task.status) {
    next.completedAt = patch.status === 'done' ? now.toISOString() : null;
  }
  return next;
}

function mapLists(client: QueryClient, change: (tasks: Task[]) => Task[]): void {
  client.setQueriesData<ListData>({ queryKey: taskKeys.lists() }, (data) =>
    data ? { ...data, pages: data.pages.map((page) => ({ ...page, data: change(page.data) })) } : data,
  );
}

/** Puts a task's new state into every cached list and its detail entry. */
export function replaceCachedTask(client: QueryClient, task: Task): void {
  mapLists(client, (tasks) => tasks.map((cached) => (cached.id === task.id ? task : cached)));
  client.setQueryData(taskKeys.detail(task.id), task);
}

export function removeCachedTask(client: QueryClient, id: string): void {
  mapLists(client, (tasks) => tasks.filter((cached) => cached.id !== id));
  client.removeQueries({ queryKey: taskKeys.detail(id) });
}

export type ListSnapshot = Array<[readonly unknown[], ListData | undefined]>;

/** Stops in-flight list fetches (they could overwrite an optimistic change) and remembers the lists. */
export async function snapshotLists(client: QueryClient): Promise<ListSnapshot> {
  await client.cancelQueries({ queryKey: taskKeys.lists() });
  return client.getQueriesData<ListData>({ queryKey: taskKeys.lists() });
}

export function restoreLists(client: QueryClient, snapshot: ListSnapshot): void {
  for (const [key, data] of snapshot) client.setQueryData(key, data);
}

/**
 * After any write: lists and stats are refetched so sort order, filters and counts are the server's,
 * and so are the projects, whose open-task counts may have changed.
 */
export async function invalidateTaskViews(client: QueryClient): Promise<void> {
  await Promise.all([
    client.invalidateQueries({ queryKey: taskKeys.all }),
    client.invalidateQueries({ queryKey: PROJECTS_QUERY_ROOT }),
  ]);
}
