import { entityEtag, type Task, type TaskList, type TaskStatus } from '@primo/api/contract/wire';
import { apiRequest } from '../../../lib/api-client';
import type { TaskFilters } from '../api/task-filters';
import { taskKeys } from '../api/tasks.api';

/** The board and the calendar read whole ranges (up to this many tasks), a page of 100 at a time. */
export const VIEW_TASKS_MAX = 2000;

export const viewKeys = {
  board: (projectId: string, filters: TaskFilters) => [...taskKeys.all, 'board', projectId, filters] as const,
  calendar: (filters: TaskFilters, from: string, to: string) =>
    [...taskKeys.all, 'calendar', filters, from, to] as const,
};

/** The filters every view shares (the board leaves out status: its columns are the statuses). */
function filterParams(filters: TaskFilters, withStatus: boolean): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.project) params.set('projectId', filters.project);
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (withStatus && filters.status.length) params.set('status', filters.status.join(','));
  if (filters.priority.length) params.set('priority', filters.priority.join(','));
  if (filters.tag) params.set('tag', filters.tag);
  if (filters.q) params.set('q', filters.q);
  params.set('limit', '100');
  return params;
}

async function listAll(params: URLSearchParams, signal?: AbortSignal): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | null = null;
  do {
    const page: URLSearchParams = new URLSearchParams(params);
    if (cursor) page.set('cursor', cursor);
    const answer: TaskList = await apiRequest<TaskList>(`/tasks?${page}`, signal ? { signal } : {});
    tasks.push(...answer.data);
    cursor = answer.nextCursor;
  } while (cursor !== null && tasks.length < VIEW_TASKS_MAX);
  return tasks;
}

/** One project's board in board order (column by column, then position). */
export function listBoard(filters: TaskFilters, signal?: AbortSignal): Promise<Task[]> {
  const params = filterParams(filters, false);
  params.set('sort', 'position');
  return listAll(params, signal);
}

/** The tasks due within [from, to] (ISO instants), soonest first. */
export function listDue(filters: TaskFilters, from: string, to: string, signal?: AbortSignal): Promise<Task[]> {
  const params = filterParams(filters, true);
  params.set('dueAfter', from);
  params.set('dueBefore', to);
  params.set('sort', 'dueDate');
  return listAll(params, signal);
}

export interface MoveBody {
  status?: TaskStatus;
  afterId?: string;
  beforeId?: string;
}

/** Moves a card on its board, only if nobody changed the task since `base` was read (412 otherwise). */
export function moveTask(base: Pick<Task, 'id' | 'version'>, body: MoveBody): Promise<Task> {
  return apiRequest<Task>(`/tasks/${encodeURIComponent(base.id)}/move`, {
    method: 'POST',
    body,
    headers: { 'If-Match': entityEtag(base) },
  });
}
