import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '@primo/api/contract/wire';
import { DEFAULT_SORT, SORT_OPTIONS, type ListSortParam } from '../task-options';

/** What the task list shows; kept in the address bar so a reload or a shared link shows the same. */
export interface TaskFilters {
  /** One project's id, or '' for every project the person is a member of. */
  project: string;
  /** 'me': only the tasks assigned to the person. */
  assignee: 'me' | '';
  status: TaskStatus[];
  priority: TaskPriority[];
  tag: string;
  q: string;
  sort: ListSortParam;
}

function listOf<T extends string>(raw: string | null, allowed: readonly T[]): T[] {
  if (!raw) return [];
  const wanted = raw.split(',');
  // Keep the canonical order so the same selection always makes the same query key.
  return allowed.filter((value) => wanted.includes(value));
}

export function readFilters(params: URLSearchParams): TaskFilters {
  const sort = params.get('sort');
  return {
    project: params.get('project')?.trim() ?? '',
    assignee: params.get('assignee') === 'me' ? 'me' : '',
    status: listOf(params.get('status'), TASK_STATUSES),
    priority: listOf(params.get('priority'), TASK_PRIORITIES),
    tag: params.get('tag')?.trim().toLowerCase() ?? '',
    q: params.get('q')?.trim() ?? '',
    sort: SORT_OPTIONS.find((candidate) => candidate === sort) ?? DEFAULT_SORT,
  };
}

/** Writes filters back into the address bar, leaving defaults out so URLs stay short. */
export function writeFilters(filters: TaskFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.project) params.set('project', filters.project);
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (filters.status.length) params.set('status', filters.status.join(','));
  if (filters.priority.length) params.set('priority', filters.priority.join(','));
  if (filters.tag) params.set('tag', filters.tag);
  if (filters.q) params.set('q', filters.q);
  if (filters.sort !== DEFAULT_SORT) params.set('sort', filters.sort);
  return params;
}

/** Whether anything narrows the list within the chosen project(s); choosing a project is not a filter. */
export function hasActiveFilters(filters: TaskFilters): boolean {
  return (
    filters.assignee !== '' ||
    filters.status.length > 0 ||
    filters.priority.length > 0 ||
    filters.tag !== '' ||
    filters.q !== ''
  );
}
