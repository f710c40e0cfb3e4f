import type { Change, Task } from '@primo/api/contract/wire';
import type { QueryClient } from '@tanstack/react-query';
import { TASKS_QUERY_ROOT } from '../../lib/query-roots';

/** What a change leaves to refetch: nothing, the project views, or the task views and the project views. */
export type Refresh = 'none' | 'projects' | 'everything';

function isTask(value: unknown): value is Task {
  return typeof value === 'object' && value !== null && 'id' in value && 'version' in value && 'title' in value;
}

/**
 * The task after `change` from the version right before it: the changed fields take their new values
 * (the field names are the Task's own), and the timestamps follow the change.
 */
export function patchTask(task: Task, change: Change): Task {
  const next: Record<string, unknown> = { ...task, version: change.version, updatedAt: change.at };
  for (const { field, to } of change.fields) if (field in task) next[field] = to;
  const status = change.fields.find(({ field }) => field === 'status');
  if (status !== undefined) next.completedAt = status.to === 'done' ? change.at : null;
  return next as unknown as Task;
}

export type Visit = (task: Task) => Task | null;

/**
 * Runs `visit` over every task a cached entry holds (a task, a list of tasks, or pages of them),
 * dropping the ones it returns null for. Answers undefined when nothing changed, which leaves the
 * entry (and whoever shows it) untouched.
 */
export function rewrite(data: unknown, visit: Visit): unknown {
  if (isTask(data)) {
    const next = visit(data);
    return next === data || next === null ? undefined : next;
  }
  if (Array.isArray(data)) {
    let changed = false;
    const out: unknown[] = [];
    for (const item of data) {
      const next = isTask(item) ? visit(item) : item;
      if (next !== item) changed = true;
      if (next !== null) out.push(next);
    }
    return changed ? out : undefined;
  }
  if (typeof data === 'object' && data !== null && 'pages' in data && Array.isArray(data.pages)) {
    let changed = false;
    const pages = data.pages.map((page: unknown) => {
      if (typeof page !== 'object' || page === null || !('data' in page)) return page;
      const tasks = rewrite(page.data, visit);
      if (tasks === undefined) return page;
      changed = true;
      return { ...page, data: tasks };
    });
    return changed ? { ...data, pages } : undefined;
  }
  return undefined;
}

/** Runs `visit` over every cached task (lists, boards, calendars, details). */
export function rewriteTasks(client: QueryClient, visit: Visit): void {
  client.setQueriesData({ queryKey: TASKS_QUERY_ROOT }, (data: unknown) => rewrite(data, visit));
}

/**
 * Applies one change to the cached task views and says what is left to refetch. A task update the
 * cache holds at the version right before is patched in place; one it already holds (the echo of
 * this browser's own write) changes nothing and needs no refetch, so the screen does not flicker.
 * Anything else (a new task, a gap in versions, a task the cache does not hold, a membership) is
 * refetched, so filters, order and counts stay the server's.
 */
export function applyChange(client: QueryClient, change: Change, userId: string): Refresh {
  switch (change.type) {
    case 'task.updated':
    case 'task.created': {
      let held = false;
      let behind = false;
      rewriteTasks(client, (task) => {
        if (task.id !== change.entityId) return task;
        held = true;
        if (task.version >= change.version) return task;
        behind = true;
        return change.type === 'task.updated' && task.version === change.version - 1 ? patchTask(task, change) : task;
      });
      return held && !behind ? 'none' : 'everything';
    }
    case 'task.deleted': {
      let held = false;
      rewriteTasks(client, (task) => {
        if (task.id !== change.entityId) return task;
        held = true;
        return null;
      });
      // This browser's own delete already left the cache and refreshed what it showed.
      return held || change.actor.id !== userId ? 'everything' : 'none';
    }
    case 'member.added':
    case 'member.removed':
      // Joining or leaving changes which tasks the person sees at all.
      return change.entityId === userId ? 'everything' : 'projects';
    case 'project.deleted':
      return 'everything';
    default:
      return 'projects';
  }
}
