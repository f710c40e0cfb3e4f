import { z } from 'zod';
import { InvalidInput } from '../domain/errors.js';
import { parseSort, sortParamOf } from './task.model.js';
import type { TaskCursor, TaskFilter, TaskListQuery, TaskSort } from './tasks.repository.js';
import type { listTasksQuery } from './tasks.schemas.js';

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

/** Decodes a cursor made by encodeCursor for the same sort; anything else is invalid input. */
export function decodeCursor(raw: string, sort: TaskSort): TaskCursor {
  const invalid = (detail: string) =>
    new InvalidInput([{ path: 'cursor', message: detail }], 'The cursor is not valid for this query.');
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
  const keyKind = sort.field === 'title' || sort.field === 'position' ? 'string' : 'number';
  const nullable = sort.field === 'dueDate';
  if (!(typeof k === keyKind || (k === null && nullable))) throw invalid('is not a cursor returned by this API');
  return { key: k, id: i };
}

/** Turns the validated query string into the repository's list query. */
export function toListQuery(params: z.output<typeof listTasksQuery>): TaskListQuery {
  const sort = parseSort(params.sort);
  if (sort.field === 'position' && params.projectId?.length !== 1) {
    // Positions order one project's board; across projects they compare nothing meaningful.
    throw new InvalidInput(
      [{ path: 'sort', message: 'position needs projectId naming exactly one project' }],
      'Board order is per project.',
    );
  }
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
