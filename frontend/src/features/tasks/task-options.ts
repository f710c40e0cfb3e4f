import type {
  DESCRIPTION_MAX as ApiDescriptionMax,
  TAG_MAX as ApiTagMax,
  TAGS_MAX as ApiTagsMax,
  TITLE_MAX as ApiTitleMax,
  TaskPriority,
  TaskSortParam,
  TaskStatus,
} from '@primo/api/tasks/tasks.schemas';

// The records are typed by the API's unions, so a value added to or removed from the backend's
// schema breaks the type check here instead of silently missing from the UI. Only types are
// imported: the schema module's runtime values would pull zod into the bundle.

export const STATUS_LABELS: Record<TaskStatus, string> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
};

export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

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

export const DEFAULT_SORT: TaskSortParam = '-createdAt';

export const TASK_STATUSES = Object.keys(STATUS_LABELS) as TaskStatus[];
export const TASK_PRIORITIES = Object.keys(PRIORITY_LABELS) as TaskPriority[];
export const TASK_SORTS = Object.keys(SORT_LABELS) as TaskSortParam[];

export const TITLE_MAX: typeof ApiTitleMax = 200;
export const DESCRIPTION_MAX: typeof ApiDescriptionMax = 5000;
export const TAGS_MAX: typeof ApiTagsMax = 20;
export const TAG_MAX: typeof ApiTagMax = 32;
