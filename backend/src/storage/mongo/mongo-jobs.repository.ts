import { Types } from 'mongoose';
import { isObjectId } from '../../domain/ids.js';
import type { JobRepository } from '../../jobs/jobs.repository.js';
import type { MongoModels, TaskDoc } from './mongo-models.js';
import { toTaskRecord, type StoreRunner } from './mongo-tasks.repository.js';

/** The order of pending reminders: the `reminderDue` index. */
export const REMINDER_ORDER = { reminderDue: 1, _id: 1 } as const;

/** Reminders due before `before`, after a position in REMINDER_ORDER. */
export function pendingReminderFilter(before: Date, after?: { due: Date; taskId: string }) {
  // `$lt` a date matches dates only, so tasks without a pending reminder (null) are never read.
  if (after === undefined) return { reminderDue: { $lt: before } };
  return {
    reminderDue: { $lt: before },
    $or: [
      { reminderDue: { $gt: after.due } },
      { reminderDue: after.due, _id: { $gt: new Types.ObjectId(after.taskId) } },
    ],
  };
}

/** The background-work port over `tasks.reminderDue` (index `reminderDue`) and `jobCursors`. */
export function createMongoJobRepository(models: MongoModels, run: StoreRunner): JobRepository {
  const { tasks, jobCursors } = models;
  return {
    async pendingReminders(before, limit, after) {
      const docs = await run(() =>
        tasks
          .find(pendingReminderFilter(before, after))
          .sort(REMINDER_ORDER)
          .hint(REMINDER_ORDER)
          .limit(limit)
          .lean<TaskDoc[]>(),
      );
      return docs.map((doc) => ({ task: toTaskRecord(doc), due: doc.reminderDue as Date }));
    },

    async remindersOf(taskIds, before) {
      const ids = taskIds.filter(isObjectId).map((id) => new Types.ObjectId(id));
      if (ids.length === 0) return [];
      // By `_id`; `$lt` a date skips tasks without a pending reminder (null), as above.
      const docs = await run(() => tasks.find({ _id: { $in: ids }, reminderDue: { $lt: before } }).lean<TaskDoc[]>());
      return docs.map((doc) => ({ task: toTaskRecord(doc), due: doc.reminderDue as Date }));
    },

    async settleReminder(taskId, due) {
      if (!isObjectId(taskId)) return false;
      const result = await run(() =>
        tasks.updateOne({ _id: new Types.ObjectId(taskId), reminderDue: due }, { $set: { reminderDue: null } }),
      );
      return result.modifiedCount === 1;
    },

    async cursor(name) {
      const doc = await run(() => jobCursors.findById(name).lean<{ seq: number }>());
      return doc?.seq ?? null;
    },

    async saveCursor(name, seq) {
      await run(() => jobCursors.updateOne({ _id: name }, { $max: { seq } }, { upsert: true }));
    },
  };
}
