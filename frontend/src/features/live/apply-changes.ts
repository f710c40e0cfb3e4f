import type { Change, Task } from '@primo/api/contract/wire';
import type { QueryClient } from '@tanstack/react-query';
import { PROJECTS_QUERY_ROOT } from '../../lib/query-roots';
import { removeCachedTask } from '../tasks/api/task-cache';
import { taskKeys } from '../tasks/api/tasks.api';

/** Waits this long after a change before refreshing, so a burst of changes costs one refetch. */
const SETTLE_MS = 150;

/** Whether every cached copy of the task is already at this version or later (our own write's echo). */
function alreadyCached(client: QueryClient, change: Change): boolean {
  const detail = client.getQueryData<Task>(taskKeys.detail(change.entityId));
  return detail !== undefined && detail.version >= change.version;
}

/**
 * Applies live changes to the query cache: a deleted task leaves every list at once; other changes
 * mark what they touch stale, and the views on screen refetch once per burst. An echo of the
 * caller's own write, already in the cache, refreshes nothing.
 */
export function changeApplier(client: QueryClient): { apply(changes: Change[]): void; reloadAll(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let tasks = false;
  let projects = false;

  const flush = () => {
    timer = undefined;
    if (tasks) void client.invalidateQueries({ queryKey: taskKeys.all });
    if (projects) void client.invalidateQueries({ queryKey: PROJECTS_QUERY_ROOT });
    tasks = false;
    projects = false;
  };
  const later = () => {
    timer ??= setTimeout(flush, SETTLE_MS);
  };

  return {
    apply(changes) {
      for (const change of changes) {
        if (change.type.startsWith('task.')) {
          if (change.type !== 'task.deleted' && alreadyCached(client, change)) continue;
          if (change.type === 'task.deleted') removeCachedTask(client, change.entityId);
          tasks = true;
          // Open-task counts of the projects follow their tasks.
          projects = true;
        } else {
          projects = true;
          // Leaving or losing a project takes its tasks out of every list.
          if (change.type === 'member.removed' || change.type === 'project.deleted') tasks = true;
        }
      }
      if (tasks || projects) later();
    },
    reloadAll() {
      tasks = true;
      projects = true;
      flush();
    },
  };
}
