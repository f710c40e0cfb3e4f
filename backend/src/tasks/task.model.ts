import type { NewTask, TaskRecord, TaskSort, TaskStatsRecord } from './tasks.repository.js';

/**
 * The task domain: enums, limits, ordering and the shapes of derived values. Plain values only
 * (no zod, no HTTP), so the port, both storage adapters, the service and the SPA share one source.
 */

export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const;
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const TASK_SORT_FIELDS = ['createdAt', 'updatedAt', 'dueDate', 'priority', 'title', 'position'] as const;
export const TASK_SORTS = TASK_SORT_FIELDS.flatMap((field) => [field, `-${field}`] as const);

export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];
export type TaskSortParam = TaskSortField | `-${TaskSortField}`;

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const TAGS_MAX = 20;
export const TAG_MAX = 32;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;
export const QUERY_TEXT_MAX = 200;
/** At most this many distinct words of a search are matched; the rest are ignored. */
export const SEARCH_WORDS_MAX = 16;

/** The column digit that starts a board key: columns in the order of TASK_STATUSES (see board-order.ts). */
export const COLUMN_DIGIT: Record<TaskStatus, string> = { todo: '0', in_progress: '1', done: '2' };

/**
 * The stored board key of a task in column `status` at `position`: what the board sort orders by, so
 * one index yields a whole board column by column and each column is one range of it.
 */
export function boardKeyOf(status: TaskStatus, position: string): string {
  return COLUMN_DIGIT[status] + position;
}

/** Priority as a number so that `low < medium < high < urgent` sorts naturally. */
export const PRIORITY_RANK: Record<TaskPriority, number> = { low: 0, medium: 1, high: 2, urgent: 3 };

export function priorityFromRank(rank: number): TaskPriority {
  const priority = TASK_PRIORITIES[rank];
  if (priority === undefined) throw new RangeError(`no priority has rank ${rank}`);
  return priority;
}

/** `completedAt` follows `status`: set when a task is (created or moved) done, cleared otherwise. */
function completedAtFor(status: TaskStatus, now: Date): Date | null {
  return status === 'done' ? now : null;
}

export const DAY_MS = 86_400_000;
/** Stats count completions over this many UTC days, today included. */
export const STATS_DAYS = 14;

/** UTC day boundaries of a stats read: today's start and end, and the first instant of the window. */
export function statsWindow(now: Date): { startOfDay: Date; endOfDay: Date; firstDay: Date } {
  const startOfDay = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return {
    startOfDay: new Date(startOfDay),
    endOfDay: new Date(startOfDay + DAY_MS),
    firstDay: new Date(startOfDay - (STATS_DAYS - 1) * DAY_MS),
  };
}

/** The window's days, oldest first, each with its count (zero where `counts` has none), keyed `YYYY-MM-DD`. */
export function completedByDay(now: Date, counts: ReadonlyMap<string, number>): { date: string; count: number }[] {
  const { firstDay } = statsWindow(now);
  return Array.from({ length: STATS_DAYS }, (_, offset) => {
    const date = dayKey(new Date(firstDay.getTime() + offset * DAY_MS));
    return { date, count: counts.get(date) ?? 0 };
  });
}

/** The UTC calendar day of an instant as `YYYY-MM-DD`. */
export function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Stats of a user without tasks: every count zero, every day of the window present. */
export function emptyStats(now: Date): TaskStatsRecord {
  return {
    total: 0,
    byStatus: zeroCounts(TASK_STATUSES),
    byPriority: zeroCounts(TASK_PRIORITIES),
    overdue: 0,
    dueToday: 0,
    completedByDay: completedByDay(now, new Map()),
  };
}

/**
 * The record a new task starts as: version 1, created and updated now, completed now if created done,
 * at `position` in its status column.
 */
export function newTaskRecord(
  id: string,
  place: { projectId: string; createdBy: string; position: string },
  input: NewTask,
  now: Date,
): TaskRecord {
  return {
    id,
    projectId: place.projectId,
    createdBy: place.createdBy,
    assigneeId: input.assigneeId,
    title: input.title,
    description: input.description,
    status: input.status,
    priority: input.priority,
    dueDate: input.dueDate,
    tags: [...input.tags],
    createdAt: now,
    updatedAt: now,
    completedAt: completedAtFor(input.status, now),
    version: 1,
    position: place.position,
    remindAt: input.remindAt,
    recurrence: input.recurrence,
  };
}

/**
 * The instant a task's reminder is still due at, kept next to the task so that due reminders are one
 * index range (null: none pending). A new task's reminder is pending unless it is created done.
 */
export function reminderDueOf(task: Pick<TaskRecord, 'remindAt' | 'status'>): Date | null {
  return task.status === 'done' ? null : task.remindAt;
}

/**
 * How an update changes the pending reminder (undefined: it stays as it is). A new `remindAt`
 * reschedules it (unless the task ends up done); completing cancels it; reopening revives a
 * `remindAt` still in the future. Delivery clears it without touching the task (see JobRepository.settleReminder).
 */
export function reminderDueAfter(
  before: Pick<TaskRecord, 'remindAt' | 'status'>,
  changes: { remindAt?: Date | null; status?: TaskStatus },
  now: Date,
): Date | null | undefined {
  const status = changes.status ?? before.status;
  if (changes.remindAt !== undefined) return status === 'done' ? null : changes.remindAt;
  if (status === before.status) return undefined;
  if (status === 'done') return null;
  if (before.status !== 'done') return undefined;
  return before.remindAt !== null && before.remindAt > now ? before.remindAt : null;
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/**
 * Cuts a page out of rows fetched with one extra row: the first `limit` rows, and the position
 * after the last of them when the extra row shows that more follow.
 */
export function slicePage<Row, Cursor>(
  rows: readonly Row[],
  limit: number,
  cursorOf: (row: Row) => Cursor,
): { items: Row[]; next: Cursor | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

export function parseSort(param: TaskSortParam): TaskSort {
  return param.startsWith('-')
    ? { field: param.slice(1) as TaskSortField, direction: 'desc' }
    : { field: param as TaskSortField, direction: 'asc' };
}

export function sortParamOf(sort: TaskSort): TaskSortParam {
  return sort.direction === 'desc' ? `-${sort.field}` : sort.field;
}

/** Titles sort case-insensitively. */
export function titleSortKey(title: string): string {
  return title.toLowerCase();
}

/**
 * The value a task is ordered by for a sort field: epoch milliseconds for dates (null for a task
 * without a due date), the priority rank for priority, the lower-cased title for title, and the
 * board key (column, then position: see board-order.ts) for position.
 */
export function sortKeyOf(
  task: Pick<TaskRecord, TaskSortField | 'status'>,
  field: TaskSortField,
): number | string | null {
  switch (field) {
    case 'createdAt':
      return task.createdAt.getTime();
    case 'updatedAt':
      return task.updatedAt.getTime();
    case 'dueDate':
      return task.dueDate === null ? null : task.dueDate.getTime();
    case 'priority':
      return PRIORITY_RANK[task.priority];
    case 'title':
      return titleSortKey(task.title);
    case 'position':
      return boardKeyOf(task.status, task.position);
  }
}

/** Compares two tasks in list order; adapters must agree with it (the contract suite checks). */
export function compareTasks(a: TaskRecord, b: TaskRecord, sort: TaskSort): number {
  const ka = sortKeyOf(a, sort.field);
  const kb = sortKeyOf(b, sort.field);
  const sign = sort.direction === 'asc' ? 1 : -1;
  if (ka === null || kb === null) {
    if (ka !== kb) return ka === null ? 1 : -1; // no due date sorts last in both directions
  } else if (ka !== kb) {
    return (ka < kb ? -1 : 1) * sign;
  }
  return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
}

/**
 * Splits free text into the words a task must all contain: letters and digits only, lower-cased,
 * so both adapters match the same way (no query syntax leaks into FTS5 or a MongoDB filter).
 */
export function searchWords(q: string): string[] {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, SEARCH_WORDS_MAX);
}
