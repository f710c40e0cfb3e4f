import type Database from 'better-sqlite3';
import {
  DAY_MS,
  PRIORITY_RANK,
  TASK_SORT_FIELDS,
  completedByDay,
  dayKey,
  emptyStats,
  newTaskRecord,
  priorityFromRank,
  searchWords,
  slicePage,
  sortKeyOf,
  statsWindow,
  titleSortKey,
  type TaskStatus,
} from '../../tasks/task.model.js';
import type {
  NewTask,
  TaskChanges,
  TaskDeleteOutcome,
  TaskListQuery,
  TaskPage,
  TaskRecord,
  TaskRepository,
  TaskSort,
  TaskStatsRecord,
  TaskWriteOutcome,
} from '../../tasks/tasks.repository.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import type { StoreRunner } from './sqlite-errors.js';
import {
  MATCH_LIST_MAX,
  TASK_COLUMNS,
  TASK_RETURNING,
  listTasksSql,
  titleKeyBytes,
  type ListAfterParams,
  type ListParams,
  type ListPhase,
  type ListSource,
} from './sqlite-task-list.js';

interface TaskRow {
  id: string;
  user_id: string;
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
}

interface UpdateParams {
  id: string;
  userId: string;
  expectedVersion: number | null;
  now: number;
  title: string | null;
  titleKey: Buffer | null;
  description: string | null;
  status: TaskStatus | null;
  rank: number | null;
  setDueDate: 0 | 1;
  dueDate: number | null;
  tags: string | null;
}

type UpdatedField = 'title' | 'description' | 'status' | 'priority' | 'dueDate' | 'tags';

// SET expressions read the row as it was before the update, so `status` in completed_at is the old one.
const UPDATE_ASSIGNMENTS: Record<UpdatedField, string> = {
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
};

/** The fields an update assigns, in a fixed order (one prepared statement per combination). */
function changedFields(params: UpdateParams): UpdatedField[] {
  const fields: UpdatedField[] = [];
  if (params.title !== null) fields.push('title');
  if (params.description !== null) fields.push('description');
  if (params.status !== null) fields.push('status');
  if (params.rank !== null) fields.push('priority');
  if (params.setDueDate === 1) fields.push('dueDate');
  if (params.tags !== null) fields.push('tags');
  return fields;
}

function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    userId: row.user_id,
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
  };
}

function statementKey(sort: TaskSort, phase: ListPhase, after: boolean, source: ListSource): string {
  return `${sort.field}:${sort.direction}:${phase}:${after ? 'after' : 'first'}:${source}`;
}

/** FTS5 expression from the words of `q` only: each a quoted prefix term, all required. */
function ftsMatch(q: string): string | null {
  const words = searchWords(q);
  return words.length === 0 ? null : words.map((word) => `"${word}"*`).join(' AND ');
}

/** The tasks port over `tasks`, `task_tags` and the `tasks_fts` index. */
export function createSqliteTaskRepository(db: Database.Database, run: StoreRunner): TaskRepository {
  const insertTask = db.prepare<[Omit<TaskRow, 'tags'> & { tags: string; title_key: Buffer }]>(
    `INSERT INTO tasks (id, user_id, title, title_key, description, status, priority_rank, due_date, tags,
                        created_at, updated_at, completed_at, version)
     VALUES (@id, @user_id, @title, @title_key, @description, @status, @priority_rank, @due_date, @tags,
             @created_at, @updated_at, @completed_at, @version)`,
  );
  const insertTag = db.prepare<[{ seq: number | bigint; userId: string; tag: string }]>(
    'INSERT OR IGNORE INTO task_tags (task_seq, user_id, tag) VALUES (@seq, @userId, @tag)',
  );
  const deleteTags = db.prepare<[number]>('DELETE FROM task_tags WHERE task_seq = ?');
  const findOne = db.prepare<[{ id: string; userId: string }], TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks AS t WHERE t.id = @id AND t.user_id = @userId`,
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
         WHERE id = @id AND user_id = @userId AND (@expectedVersion IS NULL OR version = @expectedVersion)
         RETURNING seq, ${TASK_RETURNING}`,
      );
      updateStatements.set(key, statement);
    }
    return statement;
  };
  const deleteTask = db.prepare<[{ id: string; userId: string; expectedVersion: number | null }]>(
    `DELETE FROM tasks
     WHERE id = @id AND user_id = @userId AND (@expectedVersion IS NULL OR version = @expectedVersion)`,
  );

  const listStatements = new Map<string, Database.Statement<[ListParams | ListAfterParams], TaskRow>>();
  for (const field of TASK_SORT_FIELDS) {
    for (const direction of ['asc', 'desc'] as const) {
      const sort: TaskSort = { field, direction };
      const phases: ListPhase[] = field === 'dueDate' ? ['keyed', 'undated'] : ['keyed'];
      for (const phase of phases) {
        for (const after of [false, true]) {
          for (const source of ['index', 'matches'] as const) {
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
  const listStatement = (sort: TaskSort, phase: ListPhase, after: boolean, source: ListSource) => {
    const statement = listStatements.get(statementKey(sort, phase, after, source));
    if (statement === undefined) throw new RangeError(`no list statement for sort ${sort.direction} ${sort.field}`);
    return statement;
  };

  const counts = db.prepare<[string], { status: TaskStatus; rank: number; n: number }>(
    'SELECT status, priority_rank AS rank, n FROM task_counts WHERE user_id = ?',
  );
  // Open tasks due before today come from the per-day counts; only today's due tasks are read from
  // the index, to split them at the current instant into overdue and due today.
  const countOverdueBeforeToday = db.prepare<[{ userId: string; today: number }], { n: number }>(
    'SELECT coalesce(sum(n), 0) AS n FROM task_due_days WHERE user_id = @userId AND day < @today',
  );
  const countDueToday = db.prepare<
    [{ userId: string; now: number; startOfDay: number; endOfDay: number }],
    { overdue: number; dueToday: number }
  >(
    `SELECT coalesce(sum(due_date < @now), 0) AS overdue, coalesce(sum(due_date >= @now), 0) AS dueToday
     FROM tasks
     WHERE user_id = @userId AND status IN ('todo', 'in_progress')
       AND due_date >= @startOfDay AND due_date < @endOfDay`,
  );
  const countCompletedByDay = db.prepare<[{ userId: string; from: number; to: number }], { day: number; n: number }>(
    'SELECT day, n FROM task_done_days WHERE user_id = @userId AND day >= @from AND day <= @to',
  );

  const insertTags = (seq: number | bigint, userId: string, tags: readonly string[]) => {
    for (const tag of tags) insertTag.run({ seq, userId, tag });
  };

  const create = db.transaction((userId: string, input: NewTask, now: Date): TaskRecord => {
    const at = now.getTime();
    const record = newTaskRecord(newObjectId(at), userId, input, now);
    const { lastInsertRowid } = insertTask.run({
      id: record.id,
      user_id: userId,
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
    });
    insertTags(lastInsertRowid, userId, record.tags);
    return record;
  });

  const update = db.transaction((params: UpdateParams, tags: readonly string[] | undefined): TaskWriteOutcome => {
    const row = updateStatement(changedFields(params)).get(params);
    if (row === undefined) {
      const current = findOne.get({ id: params.id, userId: params.userId });
      return current === undefined ? { kind: 'not_found' } : { kind: 'version_mismatch', current: toTask(current) };
    }
    if (tags !== undefined) {
      deleteTags.run(row.seq);
      insertTags(row.seq, params.userId, tags);
    }
    return { kind: 'ok', task: toTask(row) };
  });

  const remove = db.transaction((userId: string, id: string, expectedVersion: number | null): TaskDeleteOutcome => {
    if (deleteTask.run({ id, userId, expectedVersion }).changes > 0) return { kind: 'ok' };
    const current = findOne.get({ id, userId });
    return current === undefined ? { kind: 'not_found' } : { kind: 'version_mismatch', current: toTask(current) };
  });

  // One read transaction per page, so the two phases of the due-date sort see one snapshot.
  const readPage = db.transaction((query: TaskListQuery, searchParams: ListParams): TaskPage => {
    const { sort, after, limit, filter } = query;
    const wanted = limit + 1;
    const rows: TaskRow[] = [];
    let params = searchParams;
    let source: ListSource = 'index';
    if (params.match !== null) {
      const seqs = matchProbe.all(params.match, MATCH_LIST_MAX + 1);
      if (seqs.length <= MATCH_LIST_MAX) {
        source = 'matches';
        params = { ...params, seqs: JSON.stringify(seqs) };
      }
    }
    const undatedAllowed = sort.field === 'dueDate' && filter.dueBefore === undefined && filter.dueAfter === undefined;
    if (after !== undefined && after.key === null) {
      // The cursor is already among the tasks without a due date (which due filters exclude).
      if (undatedAllowed) {
        rows.push(...listStatement(sort, 'undated', true, source).all({ ...params, key: null, id: after.id }));
      }
    } else {
      if (after === undefined) {
        rows.push(...listStatement(sort, 'keyed', false, source).all(params));
      } else {
        const key = typeof after.key === 'string' ? titleKeyBytes(after.key) : after.key;
        rows.push(...listStatement(sort, 'keyed', true, source).all({ ...params, key, id: after.id }));
      }
      if (undatedAllowed && rows.length < wanted) {
        rows.push(...listStatement(sort, 'undated', false, source).all({ ...params, limit: wanted - rows.length }));
      }
    }
    const page = slicePage(rows.map(toTask), limit, (last) => ({ key: sortKeyOf(last, sort.field), id: last.id }));
    return page;
  });

  const readStats = db.transaction((userId: string, nowDate: Date): TaskStatsRecord => {
    const now = nowDate.getTime();
    const window = statsWindow(nowDate);
    const startOfDay = window.startOfDay.getTime();
    const firstDay = window.firstDay.getTime() / DAY_MS;
    const stats = emptyStats(nowDate);
    for (const { status, rank, n } of counts.all(userId)) {
      stats.byStatus[status] += n;
      stats.byPriority[priorityFromRank(rank)] += n;
      stats.total += n;
    }
    const today = countDueToday.get({ userId, now, startOfDay, endOfDay: startOfDay + DAY_MS }) ?? {
      overdue: 0,
      dueToday: 0,
    };
    const earlier = countOverdueBeforeToday.get({ userId, today: startOfDay / DAY_MS })?.n ?? 0;
    stats.overdue = earlier + today.overdue;
    stats.dueToday = today.dueToday;
    const completed = new Map<string, number>();
    for (const { day, n } of countCompletedByDay.all({ userId, from: firstDay, to: startOfDay / DAY_MS })) {
      completed.set(dayKey(new Date(day * DAY_MS)), n);
    }
    stats.completedByDay = completedByDay(nowDate, completed);
    return stats;
  });

  return {
    async create(userId, input, now) {
      return run(() => create.immediate(userId, input, now));
    },

    async findById(userId, id) {
      if (!isObjectId(id)) return null;
      return run(() => {
        const row = findOne.get({ id, userId });
        return row === undefined ? null : toTask(row);
      });
    },

    async update(userId, id, changes: TaskChanges, options) {
      if (!isObjectId(id)) return { kind: 'not_found' };
      const params: UpdateParams = {
        id,
        userId,
        expectedVersion: options.expectedVersion ?? null,
        now: options.now.getTime(),
        title: changes.title ?? null,
        titleKey: changes.title === undefined ? null : titleKeyBytes(titleSortKey(changes.title)),
        description: changes.description ?? null,
        status: changes.status ?? null,
        rank: changes.priority === undefined ? null : PRIORITY_RANK[changes.priority],
        setDueDate: changes.dueDate === undefined ? 0 : 1,
        dueDate: changes.dueDate === undefined || changes.dueDate === null ? null : changes.dueDate.getTime(),
        tags: changes.tags === undefined ? null : JSON.stringify(changes.tags),
      };
      return run(() => update.immediate(params, changes.tags));
    },

    async delete(userId, id, options) {
      if (!isObjectId(id)) return { kind: 'not_found' };
      return run(() => remove.immediate(userId, id, options.expectedVersion ?? null));
    },

    async list(userId, query) {
      const { filter } = query;
      const match = filter.q === undefined ? null : ftsMatch(filter.q);
      if (filter.q !== undefined && match === null) return { items: [], next: null };
      const params: ListParams = {
        userId,
        statuses: filter.status === undefined ? null : JSON.stringify(filter.status),
        ranks: filter.priority === undefined ? null : JSON.stringify(filter.priority.map((p) => PRIORITY_RANK[p])),
        tag: filter.tag ?? null,
        match,
        seqs: null,
        dueBefore: filter.dueBefore === undefined ? null : filter.dueBefore.getTime(),
        dueAfter: filter.dueAfter === undefined ? null : filter.dueAfter.getTime(),
        limit: query.limit + 1,
      };
      return run(() => readPage(query, params));
    },

    async stats(userId, now) {
      return run(() => readStats(userId, now));
    },
  };
}
