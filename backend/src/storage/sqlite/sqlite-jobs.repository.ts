import type Database from 'better-sqlite3';
import type { JobRepository } from '../../jobs/jobs.repository.js';
import type { StoreRunner } from './sqlite-errors.js';
import { TASK_COLUMNS } from './sqlite-task-list.js';
import { toTask, type TaskRow } from './sqlite-tasks.repository.js';

/** The background-work port over `tasks.reminder_due` and `job_cursors`. */
export function createSqliteJobRepository(db: Database.Database, run: StoreRunner): JobRepository {
  type PendingParams = { before: number; afterDue: number | null; afterId: string; limit: number };
  // One range of the partial index (reminder_due, id).
  const pending = db.prepare<[PendingParams], TaskRow & { reminder_due: number }>(
    `SELECT ${TASK_COLUMNS}, t.reminder_due AS reminder_due FROM tasks AS t
     WHERE t.reminder_due IS NOT NULL AND t.reminder_due < @before
       AND (@afterDue IS NULL OR (t.reminder_due, t.id) > (@afterDue, @afterId))
     ORDER BY t.reminder_due, t.id LIMIT @limit`,
  );
  // By primary key, one lookup per id.
  const ofTasks = db.prepare<[{ ids: string; before: number }], TaskRow & { reminder_due: number }>(
    `SELECT ${TASK_COLUMNS}, t.reminder_due AS reminder_due FROM tasks AS t
     WHERE t.id IN (SELECT value FROM json_each(@ids)) AND t.reminder_due IS NOT NULL AND t.reminder_due < @before`,
  );
  const settle = db.prepare<[{ id: string; due: number }]>(
    'UPDATE tasks SET reminder_due = NULL WHERE id = @id AND reminder_due = @due',
  );
  const cursor = db.prepare<[string], number>('SELECT seq FROM job_cursors WHERE name = ?').pluck();
  const saveCursor = db.prepare<[{ name: string; seq: number }]>(
    `INSERT INTO job_cursors (name, seq) VALUES (@name, @seq)
     ON CONFLICT (name) DO UPDATE SET seq = max(seq, excluded.seq)`,
  );

  return {
    async pendingReminders(before, limit, after) {
      return run(() =>
        pending
          .all({
            before: before.getTime(),
            afterDue: after?.due.getTime() ?? null,
            afterId: after?.taskId ?? '',
            limit,
          })
          .map((row) => ({ task: toTask(row), due: new Date(row.reminder_due) })),
      );
    },

    async remindersOf(taskIds, before) {
      if (taskIds.length === 0) return [];
      return run(() =>
        ofTasks
          .all({ ids: JSON.stringify(taskIds), before: before.getTime() })
          .map((row) => ({ task: toTask(row), due: new Date(row.reminder_due) })),
      );
    },

    async settleReminder(taskId, due) {
      return run(() => settle.run({ id: taskId, due: due.getTime() }).changes === 1);
    },

    async cursor(name) {
      return run(() => cursor.get(name) ?? null);
    },

    async saveCursor(name, seq) {
      await run(() => saveCursor.run({ name, seq }));
    },
  };
}
