import type { TaskSortParam } from '@primo/api/contract/wire';

export { PRIORITY_LABELS, STATUS_LABELS } from '../../lib/task-labels';

/** Sorts of the list; board order (`position`) is the board view's, and needs one project. */
export type ListSortParam = Exclude<TaskSortParam, 'position' | '-position'>;

/** The sort menu, in the order it is offered (the API's `TASK_SORTS` is the set of valid values). */
export const SORT_LABELS: Record<ListSortParam, string> = {
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

export const SORT_OPTIONS = Object.keys(SORT_LABELS) as ListSortParam[];

export const DEFAULT_SORT: ListSortParam = '-createdAt';
