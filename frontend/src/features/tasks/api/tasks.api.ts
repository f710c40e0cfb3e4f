import {
  entityEtag,
  type CreateTaskInput,
  type Task,
  type TaskList,
  type UpdateTaskInput,
} from '@primo/api/contract/wire';
import { apiRequest } from '../../../lib/api-client';
import { TASKS_QUERY_ROOT } from '../../../lib/query-roots';
import type { TaskFilters } from './task-filters';

export const PAGE_SIZE = 20;

/** Query keys: every list and the stats hang under `tasks`, so one invalidation refreshes them all. */
export const taskKeys = {
  all: TASKS_QUERY_ROOT,
  lists: () => [...taskKeys.all, 'list'] as const,
  list: (filters: TaskFilters) => [...taskKeys.lists(), filters] as const,
  detail: (id: string) => [...taskKeys.all, 'detail', id] as const,
};

export function toSearchParams(filters: TaskFilters, cursor?: string | null): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.project) params.set('projectId', filters.project);
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (filters.status.length) params.set('status', filters.status.join(','));
  if (filters.priority.length) params.set('priority', filters.priority.join(','));
  if (filters.tag) params.set('tag', filters.tag);
  if (filters.q) params.set('q', filters.q);
  params.set('sort', filters.sort);
  params.set('limit', String(PAGE_SIZE));
  if (cursor) params.set('cursor', cursor);
  return params;
}

export function listTasks(filters: TaskFilters, cursor: string | null, signal?: AbortSignal): Promise<TaskList> {
  return apiRequest<TaskList>(`/tasks?${toSearchParams(filters, cursor)}`, signal ? { signal } : {});
}

export function getTask(id: string): Promise<Task> {
  return apiRequest<Task>(`/tasks/${encodeURIComponent(id)}`);
}

/** `idempotencyKey` is repeated on a retry of the same create so the server writes the task once. */
export function createTask(input: CreateTaskInput, idempotencyKey: string): Promise<Task> {
  return apiRequest<Task>('/tasks', { method: 'POST', body: input, headers: { 'Idempotency-Key': idempotencyKey } });
}

/** The headers of a conditional write: `If-Match` the version read, and the key that makes a repeat harmless. */
function writeHeaders(base: Pick<Task, 'id' | 'version'>, idempotencyKey?: string): Record<string, string> {
  return { 'If-Match': entityEtag(base), ...(idempotencyKey && { 'Idempotency-Key': idempotencyKey }) };
}

/** Changes a task only if nobody else changed it since `base` was read (412 otherwise). */
export function updateTask(
  base: Pick<Task, 'id' | 'version'>,
  patch: UpdateTaskInput,
  idempotencyKey?: string,
): Promise<Task> {
  return apiRequest<Task>(`/tasks/${encodeURIComponent(base.id)}`, {
    method: 'PATCH',
    body: patch,
    headers: writeHeaders(base, idempotencyKey),
  });
}

export function deleteTask(
  base: Pick<Task, 'id' | 'version'>,
  options: { keepalive?: boolean; idempotencyKey?: string } = {},
): Promise<void> {
  return apiRequest<void>(`/tasks/${encodeURIComponent(base.id)}`, {
    method: 'DELETE',
    headers: writeHeaders(base, options.idempotencyKey),
    ...(options.keepalive !== undefined && { keepalive: options.keepalive }),
  });
}
