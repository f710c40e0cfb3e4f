import type { TaskSort } from '../../tasks/tasks.repository.js';
import type { TaskSortField } from '../../tasks/task.model.js';

/** The column each sort orders by; every one has an index `(project_id, column, id)` and `(assignee_id, column, id)`. */
export const SORT_COLUMN: Record<TaskSortField, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  dueDate: 'due_date',
  priority: 'priority_rank',
  title: 'title_key',
  position: 'board_key',
};

/**
 * A list page is read in up to two phases: `keyed` walks the tasks that have a sort key, and for
 * the due-date sort `undated` then walks the tasks without one, so they come last in both
 * directions while each phase is still a plain range scan of `(user_id, due_date, id)`.
 */
export type ListPhase = 'keyed' | 'undated';

/** The suffix of the two sort indexes of a sort field (`tasks_project_<suffix>`, `tasks_assignee_<suffix>`). */
export const SORT_INDEX_SUFFIX: Record<TaskSortField, string> = {
  createdAt: 'created',
  updatedAt: 'updated',
  dueDate: 'due',
  priority: 'priority',
  title: 'title',
  position: 'position',
};

/**
 * Where a page's rows come from. `index` walks the sort index of one project's tasks (`@projectId`)
 * and stops after limit + 1 matching rows: right for every filter, and for a search whose words are
 * common; a list over several projects merges one such walk per project. `assigned` walks the sort
 * index of one assignee's tasks (`@assignee`) across the projects in `@projects`. A search with few
 * matches (see MATCH_LIST_MAX) would walk whole indexes for them, so `matches` starts instead from the
 * list of matching rows (`@seqs`, read from the full-text index first), looks each up, keeps those in
 * `@projects` and sorts that handful: its cost follows the number of matches, not the number of tasks.
 * `keys` is the `index` walk reading only each row's position (`seq`, the sort key `k` and `id`, all in
 * the index): a list over several projects merges those and then reads the winning rows by `seq`.
 */
export type ListSource = 'index' | 'assigned' | 'matches' | 'keys';

/** Searches with at most this many matches (over all users) are read with the `matches` source. */
export const MATCH_LIST_MAX = 500;

/** Named parameters of every list statement; filters left null match everything. */
export interface ListParams {
  /** For the `index` source: the one project walked. */
  projectId: string | null;
  /** For the `assigned` and `matches` sources: JSON array of the project ids in scope. */
  projects: string | null;
  /** Only tasks assigned to this user, or null. */
  assignee: string | null;
  /** 1: only unassigned tasks. */
  unassigned: 0 | 1;
  /** JSON array of statuses, or null. */
  statuses: string | null;
  /** JSON array of priority ranks, or null. */
  ranks: string | null;
  tag: string | null;
  /** An FTS5 expression built from searchWords only, or null. */
  match: string | null;
  /** For the `matches` source: JSON array of the rowids (seq) that `match` found. */
  seqs: string | null;
  dueBefore: number | null;
  dueAfter: number | null;
  limit: number;
}

export interface ListAfterParams extends ListParams {
  key: number | string | Buffer | null;
  id: string;
}

const TASK_COLUMN_NAMES = [
  'id',
  'project_id',
  'created_by',
  'assignee_id',
  'title',
  'description',
  'status',
  'priority_rank',
  'due_date',
  'tags',
  'created_at',
  'updated_at',
  'completed_at',
  'version',
  'board_key',
  'remind_at',
  'recurrence',
] as const;

/** The columns a TaskRow holds, qualified by the alias `t` that every task query uses. */
export const TASK_COLUMNS = TASK_COLUMN_NAMES.map((name) => `t.${name}`).join(', ');
/** The same columns unqualified, as a RETURNING clause needs them. */
export const TASK_RETURNING = TASK_COLUMN_NAMES.join(', ');

// Each optional filter is written "param IS NULL OR condition" so that one statement per sort
// serves every filter combination, and so that no filter's index competes with the sort's
// index: the planner walks the sort index and stops after limit + 1 matching rows.
const filters = (tagScope: string) => `(@assignee IS NULL OR t.assignee_id = @assignee)
  AND (@unassigned = 0 OR t.assignee_id IS NULL)
  AND (@statuses IS NULL OR t.status IN (SELECT value FROM json_each(@statuses)))
  AND (@ranks IS NULL OR t.priority_rank IN (SELECT value FROM json_each(@ranks)))
  AND (@tag IS NULL OR t.seq IN (SELECT task_seq FROM task_tags WHERE ${tagScope} AND tag = @tag))
  AND (@dueBefore IS NULL OR t.due_date <= @dueBefore)
  AND (@dueAfter IS NULL OR t.due_date >= @dueAfter)`;
const TAG_IN_SCOPE = 'project_id IN (SELECT value FROM json_each(@projects))';
const MATCH_FILTER = '(@match IS NULL OR t.seq IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH @match))';

/** The filters a `keys` statement is written for, each as the condition it adds (no parameter tests). */
const KEY_FILTERS = {
  assignee: 't.assignee_id = @assignee',
  unassigned: 't.assignee_id IS NULL',
  statuses: 't.status IN (SELECT value FROM json_each(@statuses))',
  ranks: 't.priority_rank IN (SELECT value FROM json_each(@ranks))',
  tag: 't.seq IN (SELECT task_seq FROM task_tags WHERE project_id = @projectId AND tag = @tag)',
  dueBefore: 't.due_date <= @dueBefore',
  dueAfter: 't.due_date >= @dueAfter',
  match: 't.seq IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH @match)',
} as const;
export type KeyFilter = keyof typeof KEY_FILTERS;

/** The filters `params` sets, in a fixed order (one `keys` statement per combination). */
export function keyFiltersOf(params: ListParams): KeyFilter[] {
  return (Object.keys(KEY_FILTERS) as KeyFilter[]).filter((name) =>
    name === 'unassigned' ? params.unassigned === 1 : params[name] !== null,
  );
}

/**
 * The SQL of one list statement: a sort, a phase, whether it continues after a cursor, and its source.
 * A `keys` statement is written for the filters in `keyFilters` only, so without filters the walk reads
 * nothing but its index, and it names the sort index so no filter's index can replace it.
 */
export function listTasksSql(
  sort: TaskSort,
  phase: ListPhase,
  after: boolean,
  source: ListSource = 'index',
  keyFilters: readonly KeyFilter[] = [],
): string {
  const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
  const beyond = sort.direction === 'asc' ? '>' : '<';
  const column = `t.${SORT_COLUMN[sort.field]}`;
  const inScope = `t.${TAG_IN_SCOPE}`;
  const conditions =
    source === 'keys'
      ? ['t.project_id = @projectId', ...keyFilters.map((name) => KEY_FILTERS[name])]
      : source === 'index'
        ? ['t.project_id = @projectId', filters('project_id = @projectId'), MATCH_FILTER]
        : source === 'assigned'
          ? ['t.assignee_id = @assignee', inScope, filters(TAG_IN_SCOPE), MATCH_FILTER]
          : [inScope, filters(TAG_IN_SCOPE)];
  // The assignee walk names its index: the planner would otherwise pick a project index for the IN list
  // and sort. CROSS JOIN keeps the match list as the outer loop: each match is one rowid lookup.
  const from =
    source === 'keys'
      ? `tasks AS t INDEXED BY tasks_project_${SORT_INDEX_SUFFIX[sort.field]}`
      : source === 'index'
        ? 'tasks AS t'
        : source === 'assigned'
          ? `tasks AS t INDEXED BY tasks_assignee_${SORT_INDEX_SUFFIX[sort.field]}`
          : 'json_each(@seqs) AS m CROSS JOIN tasks AS t ON t.seq = m.value';
  let order: string;
  if (phase === 'undated') {
    conditions.push('t.due_date IS NULL');
    if (after) conditions.push(`t.id ${beyond} @id`);
    order = `t.id ${dir}`;
  } else {
    if (sort.field === 'dueDate') conditions.push('t.due_date IS NOT NULL');
    if (after) conditions.push(`(${column}, t.id) ${beyond} (@key, @id)`);
    order = `${column} ${dir}, t.id ${dir}`;
  }
  const columns = source === 'keys' ? `t.seq AS seq, ${column} AS k, t.id AS id` : TASK_COLUMNS;
  return `SELECT ${columns} FROM ${from} WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT @limit`;
}

/**
 * Title sort key as stored: the lower-cased title in UTF-16 big-endian, because SQLite compares
 * blobs bytewise and that order equals JavaScript's string order (UTF-8 text would order
 * characters above U+FFFF differently from compareTasks).
 */
export function titleKeyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf16le').swap16();
}
