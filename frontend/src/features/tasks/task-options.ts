import type { TaskSortParam } from '@primo/api/contract/wire';

export { PRIORITY_LABELS, STATUS_LABELS } from '../../lib/task-labels';

/** The sort menu, in the order it is offered (the API's `TASK_SORTS` is the set of valid values). */
export const SORT_LABELS: Record<TaskSortParam, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  '-updatedAt': 'Recently updated',
  updatedAt: 'Least recently updated',
  dueDate: 'Due date, soonest first',
  '-dueDate': 'Due date, latest first',
  '-priority': 'Priority, highest first',
  priority: 'Priority, lowest first',
  title: 'Title, A to Z',
  '-title': 'Title, Z to A',
};

export const SORT_OPTIONS = Object.keys(SORT_LABELS) as TaskSortParam[];

export const DEFAULT_SORT: TaskSortParam = '-createdAt';
