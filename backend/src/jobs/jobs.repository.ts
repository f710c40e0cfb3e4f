import type { TaskRecord } from '../tasks/tasks.repository.js';

/** A task whose reminder is pending, and the instant it is due at. */
export interface PendingReminder {
  task: TaskRecord;
  due: Date;
}

/**
 * Storage port of the background work: the reminders still to deliver (kept on the tasks, see
 * reminderDueOf) and the positions up to which the change log has been handled.
 */
export interface JobRepository {
  /** Pending reminders due before `before`, soonest first, after `after` (a due instant and task id). */
  pendingReminders(before: Date, limit: number, after?: { due: Date; taskId: string }): Promise<PendingReminder[]>;
  /** The pending reminders of these tasks due before `before`, in no particular order. */
  remindersOf(taskIds: readonly string[], before: Date): Promise<PendingReminder[]>;
  /** Clears the task's pending reminder if it is still the one due at `due`; answers whether it was. */
  settleReminder(taskId: string, due: Date): Promise<boolean>;
  /** Where the consumer `name` stopped in the change log (null: it never ran). */
  cursor(name: string): Promise<number | null>;
  saveCursor(name: string, seq: number): Promise<void>;
}
