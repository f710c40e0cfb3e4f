import type { WriteOptions } from '../changes/change.model.js';
import type { IdempotentWrite } from '../idempotency/idempotency.model.js';
import type { Recurrence } from './recurrence.js';
import type { TaskPriority, TaskSortField, TaskStatus } from './task.model.js';

/** A task as stored: dates are Dates; it belongs to one project, and `projectId` scopes every query. */
export interface TaskRecord {
  id: string;
  projectId: string;
  /** The user who created it (kept when they leave the project). */
  createdBy: string;
  /** A member of the project, or null. */
  assigneeId: string | null;
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
  /** Board order within its project's column for `status` (see board-order.ts). */
  position: string;
  /** When the assignee (or, unassigned, the creator) is reminded; null: never. */
  remindAt: Date | null;
  recurrence: Recurrence | null;
}

export interface NewTask {
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: Date | null;
  tags: string[];
  assigneeId: string | null;
  remindAt: Date | null;
  recurrence: Recurrence | null;
}

/** Any subset of the writable fields; `projectId` moves the task to another project. */
export type TaskChanges = Partial<NewTask> & { projectId?: string };

export interface TaskFilter {
  status?: TaskStatus[];
  priority?: TaskPriority[];
  tag?: string;
  /** Words to match in title or description (every word must match). */
  q?: string;
  dueBefore?: Date;
  dueAfter?: Date;
  /** Tasks assigned to this user id; null: unassigned tasks; absent: any. */
  assignee?: string | null;
}

export interface TaskSort {
  field: TaskSortField;
  direction: 'asc' | 'desc';
}

/**
 * Keyset position: the sort key of the last task returned and its id.
 * `key` is epoch milliseconds for dates (null for a task without a due date),
 * the priority rank for priority, the lower-cased title for title, and the board key for position.
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

/** Where a move puts a task: the column, and the tasks it goes right after and/or right before. */
export interface BoardPlacement {
  status: TaskStatus;
  afterId?: string;
  beforeId?: string;
}

export type TaskMoveOutcome =
  | TaskWriteOutcome
  /** A neighbour that is missing, in another project or column, or out of order; `field` names it. */
  | { kind: 'bad_neighbour'; field: 'afterId' | 'beforeId'; message: string };

export type TaskDeleteOutcome =
  { kind: 'ok' } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: TaskRecord };

/**
 * Storage port for tasks. Access is decided before a call (the access policy); writes are scoped to
 * the project the caller was allowed in, so a task in another project behaves exactly like a missing
 * one (a task moved away meanwhile is not found). Malformed ids are "not found", never errors.
 * Every write records its change in its own transaction.
 */
export interface TaskRepository {
  /**
   * `createdBy` is also the actor of the task's `task.created` change. Every write given an
   * `idempotent` claim keeps its response in its own transaction (and rolls back when the claim was
   * taken over meanwhile).
   */
  create(
    projectId: string,
    createdBy: string,
    input: NewTask,
    now: Date,
    idempotent?: IdempotentWrite<TaskRecord>,
  ): Promise<TaskRecord>;
  /**
   * Creates the next occurrence of the repeating task `previous` in its project (created by its
   * creator, recorded as `actorId`'s change), unless `previous` has one already: at most one per
   * task, however often or by however many workers asked. Answers the new task, or null.
   */
  createNext(previous: TaskRecord, input: NewTask, actorId: string, now: Date): Promise<TaskRecord | null>;
  /** Any project's task by id: the caller then checks the membership of `projectId`. */
  findById(id: string): Promise<TaskRecord | null>;
  /**
   * Applies the changes in one atomic step guarded by `expectedVersion` when given;
   * bumps `version`, sets `updatedAt`, and sets or clears `completedAt` as `status` enters or leaves `done`.
   */
  update(
    projectId: string,
    id: string,
    changes: TaskChanges,
    options: WriteOptions & { expectedVersion?: number; idempotent?: IdempotentWrite<TaskRecord> },
  ): Promise<TaskWriteOutcome>;
  delete(
    projectId: string,
    id: string,
    options: WriteOptions & { expectedVersion?: number; idempotent?: IdempotentWrite<null> },
  ): Promise<TaskDeleteOutcome>;
  /**
   * Puts the task into `placement.status`'s column right after `afterId` and/or right before
   * `beforeId` (neither: at the end), writing only the moved task: a new position between its new
   * neighbours, the status (with completedAt as update sets it), updatedAt and version + 1.
   * A create, and an update that changes the status or the project, put the task at the end of its column.
   */
  move(
    projectId: string,
    id: string,
    placement: BoardPlacement,
    options: WriteOptions & { expectedVersion?: number },
  ): Promise<TaskMoveOutcome>;
  /**
   * Gives the tasks of one column fresh, short, evenly spread positions in their current order, in
   * one atomic step (a reader sees the old keys or the new ones, the same order either way); versions
   * are kept, since no task moved. Returns how many tasks it rewrote.
   */
  rebalanceColumn(projectId: string, status: TaskStatus): Promise<number>;
  /**
   * One page of the tasks of these projects in sort order (ties broken by id in the sort's
   * direction), never loading the whole list: each project's sort index is walked from the cursor
   * and the walks merged. An empty `projectIds` is an empty page.
   */
  list(projectIds: readonly string[], query: TaskListQuery): Promise<TaskPage>;
  /** Stats over these projects; `assignee` narrows them as TaskFilter.assignee does. */
  stats(projectIds: readonly string[], options: { assignee?: string | null; now: Date }): Promise<TaskStatsRecord>;
}
