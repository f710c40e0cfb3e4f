import { z } from 'zod';
import { HttpError } from '../http/problem.js';
import type { TaskCursor, TaskFilter, TaskListQuery, TaskRecord, TaskSort } from './tasks.repository.js';
import {
  TASK_PRIORITIES,
  type TaskPriority,
  type TaskSortField,
  type TaskSortParam,
  type listTasksQuery,
} from './tasks.schemas.js';

/** Priority as a number so that `low < medium < high < urgent` sorts naturally. */
export const PRIORITY_RANK: Record<TaskPriority, number> = { low: 0, medium: 1, high: 2, urgent: 3 };

export function priorityFromRank(rank: number): TaskPriority {
  const priority = TASK_PRIORITIES[rank];
  if (priority === undefined) throw new RangeError(`no priority has rank ${rank}`);
  return priority;
}

export function parseSort(param: TaskSortParam): TaskSort {
  return param.startsWith('-')
    ? { field: param.slice(1) as TaskSortField, direction: 'desc' }
    : { field: param as TaskSortField, direction: 'asc' };
}

/** The value a task is ordered by for a sort field (see TaskCursor). */
export function sortKeyOf(task: Pick<TaskRecord, TaskSortField>, field: TaskSortField): number | string | null {
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
  }
}

/** Titles sort case-insensitively. */
export function titleSortKey(title: string): string {
  return title.toLowerCase();
}

const cursorPayload = z.strictObject({
  s: z.string(),
  k: z.union([z.number().finite(), z.string().max(400), z.null()]),
  i: z.string().regex(/^[0-9a-f]{24}$/),
});

/** Opaque cursor string: the keyset position bound to the sort it was made for. */
export function encodeCursor(sort: TaskSort, cursor: TaskCursor): string {
  const payload = { s: sortParamOf(sort), k: cursor.key, i: cursor.id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function sortParamOf(sort: TaskSort): TaskSortParam {
  return sort.direction === 'desc' ? `-${sort.field}` : sort.field;
}

/** Decodes a cursor made by encodeCursor for the same sort; anything else is a 400. */
export function decodeCursor(raw: string, sort: TaskSort): TaskCursor {
  const invalid = (detail: string) =>
    HttpError.validation([{ path: 'cursor', message: detail }], 'The cursor is not valid for this query.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor returned by this API');
  }
  const result = cursorPayload.safeParse(parsed);
  if (!result.success) throw invalid('is not a cursor returned by this API');
  const { s, k, i } = result.data;
  if (s !== sortParamOf(sort)) throw invalid(`was made for sort=${s}; repeat the query with the same sort`);
  const keyKind = sort.field === 'title' ? 'string' : 'number';
  const nullable = sort.field === 'dueDate';
  if (!(typeof k === keyKind || (k === null && nullable))) throw invalid('is not a cursor returned by this API');
  return { key: k, id: i };
}

/** Turns the validated query string into the repository's list query. */
export function toListQuery(params: z.output<typeof listTasksQuery>): TaskListQuery {
  const sort = parseSort(params.sort);
  const filter: TaskFilter = {};
  if (params.status) filter.status = params.status;
  if (params.priority) filter.priority = params.priority;
  if (params.tag !== undefined) filter.tag = params.tag;
  if (params.q !== undefined) filter.q = params.q;
  if (params.dueBefore !== undefined) filter.dueBefore = new Date(params.dueBefore);
  if (params.dueAfter !== undefined) filter.dueAfter = new Date(params.dueAfter);
  const query: TaskListQuery = { filter, sort, limit: params.limit };
  if (params.cursor !== undefined) query.after = decodeCursor(params.cursor, sort);
  return query;
}

/**
 * Splits free text into the words a task must all contain: letters and digits only, lower-cased,
 * so both adapters match the same way (no query syntax leaks into FTS5 or $text).
 */
export function searchWords(q: string): string[] {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 16);
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
