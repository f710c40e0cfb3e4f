import type { TaskPriority, TaskSortField, TaskStatus } from './task.model.js';

/** A task as stored: dates are Dates, and `userId` scopes every query. */
export interface TaskRecord {
  id: string;
  userId: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: Date | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  version: number;
}

export interface NewTask {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: Date | null;
  tags: string[];
}

export type TaskChanges = Partial<NewTask>;

export interface TaskFilter {
  status?: TaskStatus[];
  priority?: TaskPriority[];
  tag?: string;
  /** Words to match in title or description (every word must match). */
  q?: string;
  dueBefore?: Date;
  dueAfter?: Date;
}

export interface TaskSort {
  field: TaskSortField;
  direction: 'asc' | 'desc';
}

/**
 * Keyset position: the sort key of the last task returned and its id.
 * `key` is epoch milliseconds for dates (null for a task without a due date),
 * the priority rank for priority, and the lower-cased title for title.
 */
export interface TaskCursor {
  key: number | string | null;
  id: string;
}

export interface TaskListQuery {
  filter: TaskFilter;
  sort: TaskSort;
  limit: number;
  after?: TaskCursor;
}

export interface TaskPage {
  items: TaskRecord[];
  /** Position after the last item, or null when no further task matches. */
  next: TaskCursor | null;
}

export interface TaskStatsRecord {
  total: number;
  byStatus: Record<TaskStatus, number>;
  byPriority: Record<TaskPriority, number>;
  /** Not done and due before now. */
  overdue: number;
  /** Not done and due between now and the end of the current UTC day. */
  dueToday: number;
  /** Tasks completed on each of the last 14 UTC days, oldest first. */
  completedByDay: { date: string; count: number }[];
}

export type TaskWriteOutcome =
  { kind: 'ok'; task: TaskRecord } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: TaskRecord };

export type TaskDeleteOutcome =
  { kind: 'ok' } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: TaskRecord };

/**
 * Storage port for tasks. Every method is scoped to one user: another user's task
 * behaves exactly like a missing one. Malformed ids are "not found", never errors.
 */
export interface TaskRepository {
  create(userId: string, input: NewTask, now: Date): Promise<TaskRecord>;
  findById(userId: string, id: string): Promise<TaskRecord | null>;
  /**
   * Applies the changes in one atomic step guarded by `expectedVersion` when given;
   * bumps `version`, sets `updatedAt`, and sets or clears `completedAt` as `status` enters or leaves `done`.
   */
  update(
    userId: string,
    id: string,
    changes: TaskChanges,
    options: { expectedVersion?: number; now: Date },
  ): Promise<TaskWriteOutcome>;
  delete(userId: string, id: string, options: { expectedVersion?: number }): Promise<TaskDeleteOutcome>;
  /** One page in sort order (ties broken by id in the sort's direction), never loading the whole list. */
  list(userId: string, query: TaskListQuery): Promise<TaskPage>;
  stats(userId: string, now: Date): Promise<TaskStatsRecord>;
}
