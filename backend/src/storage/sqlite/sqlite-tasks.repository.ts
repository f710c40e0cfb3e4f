import type Database from 'better-sqlite3';
import {
  boardKeyOf,
  DAY_MS,
  PRIORITY_RANK,
  TASK_SORT_FIELDS,
  completedByDay,
  dayKey,
  emptyStats,
  newTaskRecord,
  priorityFromRank,
  reminderDueAfter,
  reminderDueOf,
  searchWords,
  slicePage,
  sortKeyOf,
  statsWindow,
  titleSortKey,
  type TaskStatus,
} from '../../tasks/task.model.js';
import type { Recurrence } from '../../tasks/recurrence.js';
import { columnRange, keyBetween, positionOfBoardKey, spreadPositions } from '../../tasks/board-order.js';
import type {
  BoardPlacement,
  NewTask,
  TaskChanges,
  TaskDeleteOutcome,
  TaskListQuery,
  TaskMoveOutcome,
  TaskPage,
  TaskRecord,
  TaskRepository,
  TaskSort,
  TaskStatsRecord,
  TaskWriteOutcome,
} from '../../tasks/tasks.repository.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import { taskChange, type WriteOptions } from '../../changes/change.model.js';
import type { ChangeAppender } from './sqlite-changes.repository.js';
import { createResponseRecorder, type ResponseRecorder } from './sqlite-idempotency.repository.js';
import type { IdempotentWrite } from '../../idempotency/idempotency.model.js';
import type { StoreRunner } from './sqlite-errors.js';
import {
  MATCH_LIST_MAX,
  TASK_COLUMNS,
  TASK_RETURNING,
  listTasksSql,
  keyFiltersOf,
  titleKeyBytes,
  type ListAfterParams,
  type ListParams,
  type ListPhase,
  type ListSource,
} from './sqlite-task-list.js';

export interface TaskRow {
  id: string;
  project_id: string;
  created_by: string;
  assignee_id: string | null;
  title: string;
  description: string;
  status: TaskStatus;
  priority_rank: number;
  due_date: number | null;
  tags: string;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  version: number;
  board_key: string;
  remind_at: number | null;
  recurrence: string | null;
}

interface UpdateParams {
  id: string;
  projectId: string;
  expectedVersion: number | null;
  newProjectId: string | null;
  setAssignee: 0 | 1;
  assigneeId: string | null;
  now: number;
  title: string | null;
  titleKey: Buffer | null;
  description: string | null;
  status: TaskStatus | null;
  rank: number | null;
  setDueDate: 0 | 1;
  dueDate: number | null;
  tags: string | null;
  boardKey: string | null;
  setRemindAt: 0 | 1;
  remindAt: number | null;
  setRecurrence: 0 | 1;
  recurrence: string | null;
  setReminderDue: 0 | 1;
  reminderDue: number | null;
}

type UpdatedField =
  | 'projectId'
  | 'assigneeId'
  | 'title'
  | 'description'
  | 'status'
  | 'priority'
  | 'dueDate'
  | 'tags'
  | 'position'
  | 'remindAt'
  | 'recurrence'
  | 'reminderDue';

// SET expressions read the row as it was before the update, so `status` in completed_at is the old one.
const UPDATE_ASSIGNMENTS: Record<UpdatedField, string> = {
  projectId: 'project_id = @newProjectId',
  assigneeId: 'assignee_id = @assigneeId',
  title: 'title = @title, title_key = @titleKey',
  description: 'description = @description',
  status: `status = @status, completed_at = CASE
       WHEN @status <> 'done' THEN NULL
       WHEN status = 'done' THEN completed_at
       ELSE @now
     END`,
  priority: 'priority_rank = @rank',
  dueDate: 'due_date = @dueDate',
  tags: 'tags = @tags',
  position: 'board_key = @boardKey',
  remindAt: 'remind_at = @remindAt',
  recurrence: 'recurrence = @recurrence',
  reminderDue: 'reminder_due = @reminderDue',
};

/** The fields an update assigns, in a fixed order (one prepared statement per combination). */
function changedFields(params: UpdateParams): UpdatedField[] {
  const fields: UpdatedField[] = [];
  if (params.newProjectId !== null) fields.push('projectId');
  if (params.setAssignee === 1) fields.push('assigneeId');
  if (params.title !== null) fields.push('title');
  if (params.description !== null) fields.push('description');
  if (params.status !== null) fields.push('status');
  if (params.rank !== null) fields.push('priority');
  if (params.setDueDate === 1) fields.push('dueDate');
  if (params.tags !== null) fields.push('tags');
  if (params.boardKey !== null) fields.push('position');
  if (params.setRemindAt === 1) fields.push('remindAt');
  if (params.setRecurrence === 1) fields.push('recurrence');
  if (params.setReminderDue === 1) fields.push('reminderDue');
  return fields;
}

export function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    createdBy: row.created_by,
    assigneeId: row.assignee_id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: priorityFromRank(row.priority_rank),
    dueDate: row.due_date === null ? null : new Date(row.due_date),
    tags: JSON.parse(row.tags) as string[],
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
    version: row.version,
    position: positionOfBoardKey(row.board_key),
    remindAt: row.remind_at === null ? null : new Date(row.remind_at),
    recurrence: row.recurrence === null ? null : (JSON.parse(row.recurrence) as Recurrence),
  };
}

const epochOrNull = (at: Date | null) => (at === null ? null : at.getTime());
const recurrenceText = (recurrence: Recurrence | null) =>
  recurrence === null ? null : JSON.stringify({ rule: recurrence.rule, from: recurrence.from });

function statementKey(sort: TaskSort, phase: ListPhase, after: boolean, source: ListSource): string {
  return `${sort.field}:${sort.direction}:${phase}:${after ? 'after' : 'first'}:${source}`;
}

/** FTS5 expression from the words of `q` only: each a quoted prefix term, all required. */
function ftsMatch(q: string): string | null {
  const words = searchWords(q);
  return words.length === 0 ? null : words.map((word) => `"${word}"*`).join(' AND ');
}

/** A row's position in a list: its rowid, its sort key as stored and its id (see the `keys` source). */
interface ListKey {
  seq: number;
  k: number | string | Buffer | null;
  id: string;
}

/**
 * Positions of several walks in the order of `sort`, as compareTasks orders their tasks: stored title
 * keys compare bytewise (see titleKeyBytes), and tasks without a due date come last in both directions.
 */
function keyOrder(sort: TaskSort): (a: ListKey, b: ListKey) => number {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return (a, b) => {
    if (a.k === null || b.k === null) {
      if (a.k !== b.k) return a.k === null ? 1 : -1;
    } else {
      const order =
        Buffer.isBuffer(a.k) && Buffer.isBuffer(b.k)
          ? Buffer.compare(a.k, b.k)
          : typeof a.k === 'string' && typeof b.k === 'string'
            ? a.k < b.k
              ? -1
              : a.k > b.k
                ? 1
                : 0 // board keys: ASCII, so string order is SQLite's BINARY order
            : Number(a.k) - Number(b.k);
      if (order !== 0) return Math.sign(order) * sign;
    }
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
  };
}

/** How long a search with more than MATCH_LIST_MAX matches goes straight to the sort-index walk. */
const BROAD_SEARCH_TTL_MS = 60_000;
const BROAD_SEARCHES_MAX = 1000;

/** Days per block of `task_due_blocks` (migration 6). */
const DUE_BLOCK_DAYS = 32;
/** The day columns of a row of `task_done_weeks` (migration 13): weeks of 7 days from day 0. */
const WEEK_COLUMNS = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'] as const;

/** Update parameters that change nothing; a move sets its own on top. */
const NO_CHANGES: Omit<UpdateParams, 'id' | 'projectId' | 'expectedVersion' | 'now'> = {
  newProjectId: null,
  setAssignee: 0,
  assigneeId: null,
  title: null,
  titleKey: null,
  description: null,
  status: null,
  rank: null,
  setDueDate: 0,
  dueDate: null,
  tags: null,
  boardKey: null,
  setRemindAt: 0,
  remindAt: null,
  setRecurrence: 0,
  recurrence: null,
  setReminderDue: 0,
  reminderDue: null,
};

const badNeighbour = (field: 'afterId' | 'beforeId', message: string): TaskMoveOutcome => ({
  kind: 'bad_neighbour',
  field,
  message,
});

/** Projects in scope of a stats read: `@projects`, a JSON array of ids. */
const STATS_SCOPE = 'project_id IN (SELECT value FROM json_each(@projects))';
/** One assignee's counts (`@assignee`: a user id, '' for unassigned tasks), or '*' for all of them. */
const FOR_ASSIGNEE = 'assignee = @assignee';
/** The `assignee` of the rows of the due and done counts that count every task. */
export const EVERY_ASSIGNEE = '*';

/** Stats sum the kept counts of the projects in scope; each read is one key range per project. */
export const STATS_SQL = {
  /** Per assignee only: `@assignee` null for every one. */
  counts: `SELECT status, priority_rank AS rank, sum(n) AS n FROM task_counts
     WHERE ${STATS_SCOPE} AND (@assignee IS NULL OR assignee = @assignee) GROUP BY status, priority_rank`,
  /**
   * Open tasks due before today: every open due task less those of the blocks from `@fromBlock` on,
   * and the days `[@dayFrom, @dayTo)` of today's block added back or taken off (see overdueDays).
   */
  overdueBeforeToday: (days: 'added' | 'subtracted') =>
    `SELECT (SELECT coalesce(sum(n), 0) FROM task_due_totals WHERE ${STATS_SCOPE} AND ${FOR_ASSIGNEE})
          - (SELECT coalesce(sum(n), 0) FROM task_due_blocks
              WHERE ${STATS_SCOPE} AND ${FOR_ASSIGNEE} AND block >= @fromBlock)
          ${days === 'added' ? '+' : '-'} (SELECT coalesce(sum(n), 0) FROM task_due_days
              WHERE ${STATS_SCOPE} AND ${FOR_ASSIGNEE} AND day >= @dayFrom AND day < @dayTo) AS n`,
  /** Completions of the weeks `@fromWeek`..`@toWeek`, a column per day of the week. */
  completedByWeek: `SELECT week, ${WEEK_COLUMNS.map((column) => `sum(${column})`).join(', ')} FROM task_done_weeks
     WHERE ${STATS_SCOPE} AND ${FOR_ASSIGNEE} AND week >= @fromWeek AND week <= @toWeek GROUP BY week`,
} as const;

/**
 * How STATS_SQL.overdueBeforeToday counts for the day number `today`, reading the fewer of the days
 * of today's block: those before today, added to the blocks before it, or those from today on, taken
 * off the blocks up to its end. The blocks are read ahead of today, where a project with a long past
 * has few.
 */
export function overdueDays(today: number): {
  days: 'added' | 'subtracted';
  fromBlock: number;
  dayFrom: number;
  dayTo: number;
} {
  const block = Math.floor(today / DUE_BLOCK_DAYS);
  const start = block * DUE_BLOCK_DAYS;
  const end = start + DUE_BLOCK_DAYS;
  return today - start <= end - today
    ? { days: 'added', fromBlock: block, dayFrom: start, dayTo: today }
    : { days: 'subtracted', fromBlock: block + 1, dayFrom: today, dayTo: end };
}

/**
 * Open tasks due today in scope, split at `@now`. Without an assignee the index
 * (project_id, status, due_date) answers alone; naming one (`@assignee`, '' for unassigned) reads the rows.
 */
export function dueTodaySql(forAssignee: boolean): string {
  return `SELECT coalesce(sum(due_date < @now), 0) AS overdue, coalesce(sum(due_date >= @now), 0) AS dueToday
     FROM tasks
     WHERE ${STATS_SCOPE} AND status IN ('todo', 'in_progress')
       AND due_date >= @startOfDay AND due_date < @endOfDay
       ${forAssignee ? "AND coalesce(assignee_id, '') = @assignee" : ''}`;
}

/** The tasks port over `tasks`, `task_tags` and the `tasks_fts` index. */
export function createSqliteTaskRepository(
  db: Database.Database,
  run: StoreRunner,
  appendChange: ChangeAppender,
  recordResponse: ResponseRecorder = createResponseRecorder(db),
): TaskRepository {
  const insertTask = db.prepare<
    [TaskRow & { title_key: Buffer; reminder_due: number | null; previous_id: string | null }]
  >(
    `INSERT INTO tasks (id, project_id, created_by, assignee_id, title, title_key, description, status,
                        priority_rank, due_date, tags, created_at, updated_at, completed_at, version, board_key,
                        remind_at, reminder_due, recurrence, previous_id)
     VALUES (@id, @project_id, @created_by, @assignee_id, @title, @title_key, @description, @status,
             @priority_rank, @due_date, @tags, @created_at, @updated_at, @completed_at, @version, @board_key,
             @remind_at, @reminder_due, @recurrence, @previous_id)`,
  );
  const hasNext = db.prepare<[string], number>('SELECT 1 FROM tasks WHERE previous_id = ?').pluck();
  const insertTag = db.prepare<[{ seq: number | bigint; projectId: string; tag: string }]>(
    'INSERT OR IGNORE INTO task_tags (task_seq, project_id, tag) VALUES (@seq, @projectId, @tag)',
  );
  const deleteTags = db.prepare<[number]>('DELETE FROM task_tags WHERE task_seq = ?');
  const findAny = db.prepare<[string], TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks AS t WHERE t.id = ?`);
  const findOne = db.prepare<[{ id: string; projectId: string }], TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks AS t WHERE t.id = @id AND t.project_id = @projectId`,
  );
  // Only the changed fields are assigned: SQLite then maintains only the indexes and fires only the
  // triggers that cover them (a rename leaves the status, due-date and priority indexes alone).
  const updateStatements = new Map<string, Database.Statement<[UpdateParams], TaskRow & { seq: number }>>();
  const updateStatement = (changed: readonly UpdatedField[]) => {
    const key = changed.join(',');
    let statement = updateStatements.get(key);
    if (statement === undefined) {
      const assignments = [
        ...changed.map((field) => UPDATE_ASSIGNMENTS[field]),
        'updated_at = @now',
        'version = version + 1',
      ];
      statement = db.prepare(
        `UPDATE tasks SET ${assignments.join(', ')}
         WHERE id = @id AND project_id = @projectId AND (@expectedVersion IS NULL OR version = @expectedVersion)
         RETURNING seq, ${TASK_RETURNING}`,
      );
      updateStatements.set(key, statement);
    }
    return statement;
  };
  const deleteTask = db.prepare<[{ id: string; projectId: string; expectedVersion: number | null }]>(
    `DELETE FROM tasks
     WHERE id = @id AND project_id = @projectId AND (@expectedVersion IS NULL OR version = @expectedVersion)`,
  );

  // Board order: neighbours within one column (`@from` ≤ board_key < `@to`, see columnRange), each
  // one step of the index (project_id, board_key, id), leaving out the task being moved (`@exclude`).
  type ColumnParams = { projectId: string; from: string; to: string; exclude: string };
  type BoardNeighbour = { board_key: string; id: string };
  const lastInColumn = db.prepare<[ColumnParams], BoardNeighbour>(
    `SELECT board_key, id FROM tasks
     WHERE project_id = @projectId AND board_key >= @from AND board_key < @to AND id <> @exclude
     ORDER BY board_key DESC, id DESC LIMIT 1`,
  );
  const nextInColumn = db.prepare<[ColumnParams & { key: string; id: string }], BoardNeighbour>(
    `SELECT board_key, id FROM tasks
     WHERE project_id = @projectId AND (board_key, id) > (@key, @id) AND board_key < @to AND id <> @exclude
     ORDER BY board_key, id LIMIT 1`,
  );
  const previousInColumn = db.prepare<[ColumnParams & { key: string; id: string }], BoardNeighbour>(
    `SELECT board_key, id FROM tasks
     WHERE project_id = @projectId AND (board_key, id) < (@key, @id) AND board_key >= @from AND id <> @exclude
     ORDER BY board_key DESC, id DESC LIMIT 1`,
  );
  const columnRows = db.prepare<[Omit<ColumnParams, 'exclude'>], { seq: number; board_key: string }>(
    `SELECT seq, board_key FROM tasks
     WHERE project_id = @projectId AND board_key >= @from AND board_key < @to ORDER BY board_key, id`,
  );
  const setBoardKey = db.prepare<[{ seq: number; boardKey: string }]>(
    'UPDATE tasks SET board_key = @boardKey WHERE seq = @seq',
  );

  const columnOf = (projectId: string, status: TaskStatus, exclude = '') => ({
    projectId,
    ...columnRange(status),
    exclude,
  });
  /** The board key at the end of a column: after its last task. Writes are serialised, so no jitter. */
  const endOfColumn = (projectId: string, status: TaskStatus): string => {
    const last = lastInColumn.get(columnOf(projectId, status));
    return boardKeyOf(
      status,
      keyBetween(last === undefined ? null : positionOfBoardKey(last.board_key), null, { jitter: false }),
    );
  };
  const rebalanceInTransaction = (projectId: string, status: TaskStatus): number => {
    const rows = columnRows.all(columnOf(projectId, status));
    const positions = spreadPositions(rows.length);
    let rewritten = 0;
    rows.forEach((row, index) => {
      const boardKey = boardKeyOf(status, positions[index] as string);
      if (boardKey === row.board_key) return;
      setBoardKey.run({ seq: row.seq, boardKey });
      rewritten += 1;
    });
    return rewritten;
  };

  const listStatements = new Map<string, Database.Statement<[ListParams | ListAfterParams], unknown>>();
  for (const field of TASK_SORT_FIELDS) {
    for (const direction of ['asc', 'desc'] as const) {
      const sort: TaskSort = { field, direction };
      const phases: ListPhase[] = field === 'dueDate' ? ['keyed', 'undated'] : ['keyed'];
      for (const phase of phases) {
        for (const after of [false, true]) {
          for (const source of ['index', 'assigned', 'matches'] as const) {
            listStatements.set(
              statementKey(sort, phase, after, source),
              db.prepare(listTasksSql(sort, phase, after, source)),
            );
          }
        }
      }
    }
  }
  // The first matches of a search, to choose between the `index` and `matches` sources.
  const matchProbe = db
    .prepare<[string, number], number>('SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ? LIMIT ?')
    .pluck();
  // Searches found to have too many matches for the `matches` source, remembered for a while so a
  // broad word does not pay for the probe before every page. Either source returns the same page,
  // so a stale entry costs time, never correctness.
  const broadUntil = new Map<string, number>();
  const isBroad = (match: string) => (broadUntil.get(match) ?? 0) > Date.now();
  const rememberBroad = (match: string) => {
    if (broadUntil.size >= BROAD_SEARCHES_MAX) broadUntil.clear();
    broadUntil.set(match, Date.now() + BROAD_SEARCH_TTL_MS);
  };
  const listStatement = (sort: TaskSort, phase: ListPhase, after: boolean, source: ListSource, params: ListParams) => {
    if (source === 'keys') {
      // Prepared on first use, one per combination of filters that a merged list actually asks for.
      const keyFilters = keyFiltersOf(params);
      const key = `${statementKey(sort, phase, after, source)}:${keyFilters.join(',')}`;
      let statement = listStatements.get(key);
      if (statement === undefined) {
        statement = db.prepare(listTasksSql(sort, phase, after, source, keyFilters));
        listStatements.set(key, statement);
      }
      return statement;
    }
    const statement = listStatements.get(statementKey(sort, phase, after, source));
    if (statement === undefined) throw new RangeError(`no list statement for sort ${sort.direction} ${sort.field}`);
    return statement;
  };
  // The winning rows of a merged list, by rowid.
  const rowsBySeq = db.prepare<[string], TaskRow & { seq: number }>(
    `SELECT t.seq AS seq, ${TASK_COLUMNS} FROM json_each(?) AS m CROSS JOIN tasks AS t ON t.seq = m.value`,
  );

  type StatsParams = { projects: string; assignee: string | null };
  const counts = db.prepare<[StatsParams], { status: TaskStatus; rank: number; n: number }>(STATS_SQL.counts);
  // Only today's due tasks are read from the index, to split them at the current instant into
  // overdue and due today.
  type DaysParams = { projects: string; assignee: string };
  type OverdueParams = DaysParams & { fromBlock: number; dayFrom: number; dayTo: number };
  const countOverdueBeforeToday = {
    added: db.prepare<[OverdueParams], { n: number }>(STATS_SQL.overdueBeforeToday('added')),
    subtracted: db.prepare<[OverdueParams], { n: number }>(STATS_SQL.overdueBeforeToday('subtracted')),
  };
  type DueTodayParams = StatsParams & { now: number; startOfDay: number; endOfDay: number };
  const countDueToday = db.prepare<[Omit<DueTodayParams, 'assignee'>], { overdue: number; dueToday: number }>(
    dueTodaySql(false),
  );
  const countDueTodayFor = db.prepare<[DueTodayParams], { overdue: number; dueToday: number }>(dueTodaySql(true));
  const countCompletedByWeek = db
    .prepare<[DaysParams & { fromWeek: number; toWeek: number }], number[]>(STATS_SQL.completedByWeek)
    .raw(true);

  const insertTags = (seq: number | bigint, projectId: string, tags: readonly string[]) => {
    for (const tag of tags) insertTag.run({ seq, projectId, tag });
  };

  const create = db.transaction(
    (
      projectId: string,
      createdBy: string,
      input: NewTask,
      now: Date,
      idempotent: IdempotentWrite<TaskRecord> | undefined,
      next?: { previousId: string; actorId: string },
    ): TaskRecord | null => {
      if (next !== undefined && hasNext.get(next.previousId) !== undefined) return null;
      const at = now.getTime();
      const boardKey = endOfColumn(projectId, input.status);
      const position = positionOfBoardKey(boardKey);
      const record = newTaskRecord(newObjectId(at), { projectId, createdBy, position }, input, now);
      const { lastInsertRowid } = insertTask.run({
        id: record.id,
        project_id: projectId,
        created_by: createdBy,
        assignee_id: record.assigneeId,
        title: record.title,
        title_key: titleKeyBytes(titleSortKey(record.title)),
        description: record.description,
        status: record.status,
        priority_rank: PRIORITY_RANK[record.priority],
        due_date: record.dueDate === null ? null : record.dueDate.getTime(),
        tags: JSON.stringify(record.tags),
        created_at: at,
        updated_at: at,
        completed_at: record.completedAt === null ? null : at,
        version: 1,
        board_key: boardKey,
        remind_at: epochOrNull(record.remindAt),
        reminder_due: epochOrNull(reminderDueOf(record)),
        recurrence: recurrenceText(record.recurrence),
        previous_id: next?.previousId ?? null,
      });
      insertTags(lastInsertRowid, projectId, record.tags);
      appendChange(taskChange.created(record, next?.actorId ?? createdBy, now));
      recordResponse(idempotent, record);
      return record;
    },
  );

  const update = db.transaction(
    (
      params: UpdateParams,
      changes: TaskChanges,
      options: WriteOptions & { idempotent?: IdempotentWrite<TaskRecord> },
    ): TaskWriteOutcome => {
      const { tags } = changes;
      const before = findOne.get({ id: params.id, projectId: params.projectId });
      if (before === undefined) return { kind: 'not_found' };
      if (params.expectedVersion !== null && before.version !== params.expectedVersion) {
        return { kind: 'version_mismatch', current: toTask(before) };
      }
      // A task that changes column (status or project) goes to the end of its new column.
      const status = params.status ?? before.status;
      const targetProject = params.newProjectId ?? params.projectId;
      if (status !== before.status || targetProject !== before.project_id) {
        params.boardKey = endOfColumn(targetProject, status);
      }
      const reminderDue = reminderDueAfter(toTask(before), changes, options.now);
      if (reminderDue !== undefined) {
        params.setReminderDue = 1;
        params.reminderDue = epochOrNull(reminderDue);
      }
      const row = updateStatement(changedFields(params)).get(params);
      if (row === undefined) throw new Error('the task changed inside its own write transaction');
      if (tags !== undefined) {
        deleteTags.run(row.seq);
        insertTags(row.seq, row.project_id, tags);
      }
      const task = toTask(row);
      appendChange(taskChange.updated(toTask(before), task, options.actorId, options.now));
      recordResponse(options.idempotent, task);
      return { kind: 'ok', task };
    },
  );

  const move = db.transaction(
    (
      projectId: string,
      id: string,
      placement: BoardPlacement,
      expectedVersion: number | null,
      options: WriteOptions,
    ): TaskMoveOutcome => {
      const now = options.now.getTime();
      const moved = findOne.get({ id, projectId });
      if (moved === undefined) return { kind: 'not_found' } as const;
      if (expectedVersion !== null && moved.version !== expectedVersion) {
        return { kind: 'version_mismatch', current: toTask(moved) } as const;
      }
      const { status } = placement;
      const neighbour = (field: 'afterId' | 'beforeId'): TaskRow | TaskMoveOutcome | null => {
        const neighbourId = placement[field];
        if (neighbourId === undefined) return null;
        const row = isObjectId(neighbourId) ? findOne.get({ id: neighbourId, projectId }) : undefined;
        if (row === undefined) return badNeighbour(field, 'must be a task of the same project');
        if (row.id === id) return badNeighbour(field, 'must not be the task being moved');
        if (row.status !== status) return badNeighbour(field, `must be a task in the ${status} column`);
        return row;
      };
      const after = neighbour('afterId');
      if (after !== null && 'kind' in after) return after;
      const before = neighbour('beforeId');
      if (before !== null && 'kind' in before) return before;
      if (
        after !== null &&
        before !== null &&
        !(after.board_key < before.board_key || (after.board_key === before.board_key && after.id < before.id))
      ) {
        return badNeighbour('beforeId', 'must come after afterId in its column');
      }
      const column = columnOf(projectId, status, id);
      const bounds = (): { lower: BoardNeighbour | undefined; upper: BoardNeighbour | undefined } => ({
        lower:
          after ??
          (before === null
            ? lastInColumn.get(column)
            : previousInColumn.get({ ...column, key: before.board_key, id: before.id })),
        upper:
          before ?? (after === null ? undefined : nextInColumn.get({ ...column, key: after.board_key, id: after.id })),
      });
      let { lower, upper } = bounds();
      if (lower !== undefined && upper !== undefined && lower.board_key >= upper.board_key) {
        // Equal keys (written concurrently by another store's writers) leave no key between them: re-key the column first.
        rebalanceInTransaction(projectId, status);
        const refreshed = (row: BoardNeighbour) => findOne.get({ id: row.id, projectId }) ?? row;
        if (after !== null) Object.assign(after, refreshed(after));
        if (before !== null) Object.assign(before, refreshed(before));
        ({ lower, upper } = bounds());
      }
      const position = keyBetween(
        lower === undefined ? null : positionOfBoardKey(lower.board_key),
        upper === undefined ? null : positionOfBoardKey(upper.board_key),
        { jitter: false },
      );
      const params: UpdateParams = {
        ...NO_CHANGES,
        id,
        projectId,
        expectedVersion,
        now,
        status: status === moved.status ? null : status,
        boardKey: boardKeyOf(status, position),
      };
      const row = updateStatement(changedFields(params)).get(params);
      if (row === undefined) return { kind: 'not_found' } as const;
      const task = toTask(row);
      appendChange(taskChange.updated(toTask(moved), task, options.actorId, options.now));
      return { kind: 'ok', task } as const;
    },
  );

  const rebalance = db.transaction(rebalanceInTransaction);

  const remove = db.transaction(
    (
      projectId: string,
      id: string,
      expectedVersion: number | null,
      options: WriteOptions & { idempotent?: IdempotentWrite<null> },
    ): TaskDeleteOutcome => {
      const before = findOne.get({ id, projectId });
      if (before === undefined) return { kind: 'not_found' };
      if (expectedVersion !== null && before.version !== expectedVersion) {
        return { kind: 'version_mismatch', current: toTask(before) };
      }
      deleteTask.run({ id, projectId, expectedVersion });
      appendChange(taskChange.deleted(toTask(before), options.actorId, options.now));
      recordResponse(options.idempotent, null);
      return { kind: 'ok' };
    },
  );

  /** Up to limit + 1 rows of one walk in sort order, through both phases of the due-date sort. */
  function walk(query: TaskListQuery, params: ListParams, source: 'keys'): ListKey[];
  function walk(query: TaskListQuery, params: ListParams, source: Exclude<ListSource, 'keys'>): TaskRow[];
  function walk(query: TaskListQuery, params: ListParams, source: ListSource): unknown[] {
    const { sort, after, limit, filter } = query;
    const wanted = limit + 1;
    const rows: unknown[] = [];
    const undatedAllowed = sort.field === 'dueDate' && filter.dueBefore === undefined && filter.dueAfter === undefined;
    if (after !== undefined && after.key === null) {
      // The cursor is already among the tasks without a due date (which due filters exclude).
      if (undatedAllowed) {
        rows.push(...listStatement(sort, 'undated', true, source, params).all({ ...params, key: null, id: after.id }));
      }
    } else {
      if (after === undefined) {
        rows.push(...listStatement(sort, 'keyed', false, source, params).all(params));
      } else {
        const key = sort.field === 'title' && typeof after.key === 'string' ? titleKeyBytes(after.key) : after.key;
        rows.push(...listStatement(sort, 'keyed', true, source, params).all({ ...params, key, id: after.id }));
      }
      if (undatedAllowed && rows.length < wanted) {
        rows.push(
          ...listStatement(sort, 'undated', false, source, params).all({ ...params, limit: wanted - rows.length }),
        );
      }
    }
    return rows;
  }

  // One read transaction per page, so the walks (and the two phases of the due-date sort) see one snapshot.
  const readPage = db.transaction((projectIds: readonly string[], query: TaskListQuery, base: ListParams): TaskPage => {
    const { sort, limit } = query;
    const projects = JSON.stringify(projectIds);
    let rows: TaskRow[] | undefined;
    if (base.match !== null && !isBroad(base.match)) {
      const seqs = matchProbe.all(base.match, MATCH_LIST_MAX + 1);
      if (seqs.length <= MATCH_LIST_MAX)
        rows = walk(query, { ...base, projects, seqs: JSON.stringify(seqs) }, 'matches');
      else rememberBroad(base.match);
    }
    if (rows === undefined && base.assignee !== null) rows = walk(query, { ...base, projects }, 'assigned');
    if (rows === undefined && projectIds.length === 1)
      rows = walk(query, { ...base, projectId: projectIds[0] ?? null }, 'index');
    if (rows === undefined) {
      // One walk of each project's sort index from the cursor, reading positions only, merged; then
      // the limit + 1 winners are read whole. A page costs limit + 1 index entries per project,
      // however many tasks the projects hold.
      const keys: ListKey[] = [];
      for (const projectId of projectIds) keys.push(...walk(query, { ...base, projectId }, 'keys'));
      const winners = keys.sort(keyOrder(sort)).slice(0, limit + 1);
      const bySeq = new Map(rowsBySeq.all(JSON.stringify(winners.map((key) => key.seq))).map((row) => [row.seq, row]));
      rows = winners.flatMap((key) => bySeq.get(key.seq) ?? []);
    }
    return slicePage(rows.map(toTask), limit, (last) => ({ key: sortKeyOf(last, sort.field), id: last.id }));
  });

  const readStats = db.transaction((projectIds: readonly string[], assignee: string | null, nowDate: Date) => {
    const now = nowDate.getTime();
    const window = statsWindow(nowDate);
    const startOfDay = window.startOfDay.getTime();
    const firstDay = window.firstDay.getTime() / DAY_MS;
    const scope = { projects: JSON.stringify(projectIds), assignee };
    const days = { projects: scope.projects, assignee: assignee ?? EVERY_ASSIGNEE };
    const stats: TaskStatsRecord = emptyStats(nowDate);
    for (const { status, rank, n } of counts.all(scope)) {
      stats.byStatus[status] += n;
      stats.byPriority[priorityFromRank(rank)] += n;
      stats.total += n;
    }
    const dueWindow = { now, startOfDay, endOfDay: startOfDay + DAY_MS };
    const today = (assignee === null
      ? countDueToday.get({ projects: scope.projects, ...dueWindow })
      : countDueTodayFor.get({ ...scope, ...dueWindow })) ?? { overdue: 0, dueToday: 0 };
    const todayNumber = startOfDay / DAY_MS;
    const { days: kind, ...range } = overdueDays(todayNumber);
    const earlier = countOverdueBeforeToday[kind].get({ ...days, ...range })?.n ?? 0;
    stats.overdue = earlier + today.overdue;
    stats.dueToday = today.dueToday;
    const completed = new Map<string, number>();
    const weeks = { fromWeek: Math.floor(firstDay / 7), toWeek: Math.floor(todayNumber / 7) };
    for (const [week = 0, ...counts] of countCompletedByWeek.all({ ...days, ...weeks })) {
      counts.forEach((n, weekDay) => {
        const day = week * 7 + weekDay;
        if (day >= firstDay && day <= todayNumber && n > 0) completed.set(dayKey(new Date(day * DAY_MS)), n);
      });
    }
    stats.completedByDay = completedByDay(nowDate, completed);
    return stats;
  });

  return {
    async create(projectId, createdBy, input, now, idempotent) {
      if (!isObjectId(projectId)) throw new RangeError(`not a project id: ${projectId}`);
      const task = await run(() => create.immediate(projectId, createdBy, input, now, idempotent));
      if (task === null) throw new Error('a plain create found a next occurrence');
      return task;
    },

    async createNext(previous, input, actorId, now) {
      return run(() =>
        create.immediate(previous.projectId, previous.createdBy, input, now, undefined, {
          previousId: previous.id,
          actorId,
        }),
      );
    },

    async findById(id) {
      if (!isObjectId(id)) return null;
      return run(() => {
        const row = findAny.get(id);
        return row === undefined ? null : toTask(row);
      });
    },

    async update(projectId, id, changes: TaskChanges, options) {
      if (!isObjectId(id)) return { kind: 'not_found' };
      const params: UpdateParams = {
        id,
        projectId,
        expectedVersion: options.expectedVersion ?? null,
        newProjectId: changes.projectId === undefined || changes.projectId === projectId ? null : changes.projectId,
        setAssignee: changes.assigneeId === undefined ? 0 : 1,
        assigneeId: changes.assigneeId ?? null,
        now: options.now.getTime(),
        title: changes.title ?? null,
        titleKey: changes.title === undefined ? null : titleKeyBytes(titleSortKey(changes.title)),
        description: changes.description ?? null,
        status: changes.status ?? null,
        rank: changes.priority === undefined ? null : PRIORITY_RANK[changes.priority],
        setDueDate: changes.dueDate === undefined ? 0 : 1,
        dueDate: changes.dueDate === undefined || changes.dueDate === null ? null : changes.dueDate.getTime(),
        tags: changes.tags === undefined ? null : JSON.stringify(changes.tags),
        boardKey: null,
        setRemindAt: changes.remindAt === undefined ? 0 : 1,
        remindAt: epochOrNull(changes.remindAt ?? null),
        setRecurrence: changes.recurrence === undefined ? 0 : 1,
        recurrence: recurrenceText(changes.recurrence ?? null),
        setReminderDue: 0,
        reminderDue: null,
      };
      return run(() => update.immediate(params, changes, options));
    },

    async move(projectId, id, placement, options): Promise<TaskMoveOutcome> {
      if (!isObjectId(id)) return { kind: 'not_found' };
      return run(() => move.immediate(projectId, id, placement, options.expectedVersion ?? null, options));
    },

    async rebalanceColumn(projectId, status) {
      return run(() => rebalance.immediate(projectId, status));
    },

    async delete(projectId, id, options) {
      if (!isObjectId(id)) return { kind: 'not_found' };
      return run(() => remove.immediate(projectId, id, options.expectedVersion ?? null, options));
    },

    async list(projectIds, query) {
      const { filter } = query;
      if (projectIds.length === 0) return { items: [], next: null };
      const match = filter.q === undefined ? null : ftsMatch(filter.q);
      if (filter.q !== undefined && match === null) return { items: [], next: null };
      const params: ListParams = {
        projectId: null,
        projects: null,
        assignee: typeof filter.assignee === 'string' ? filter.assignee : null,
        unassigned: filter.assignee === null ? 1 : 0,
        statuses: filter.status === undefined ? null : JSON.stringify(filter.status),
        ranks: filter.priority === undefined ? null : JSON.stringify(filter.priority.map((p) => PRIORITY_RANK[p])),
        tag: filter.tag ?? null,
        match,
        seqs: null,
        dueBefore: filter.dueBefore === undefined ? null : filter.dueBefore.getTime(),
        dueAfter: filter.dueAfter === undefined ? null : filter.dueAfter.getTime(),
        limit: query.limit + 1,
      };
      return run(() => readPage(projectIds, query, params));
    },

    async stats(projectIds, options) {
      const assignee = options.assignee === undefined ? null : (options.assignee ?? '');
      return run(() => readStats(projectIds, assignee, options.now));
    },
  };
}
