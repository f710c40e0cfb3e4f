import type { Model } from 'mongoose';
import type { TaskDoc } from './mongo-models.js';
import { op, searchFieldsOf } from './task-query.mongo.js';

const BATCH = 500;

/**
 * Gives every task stored before word-prefix search its search fields (and drops the old text
 * terms). Idempotent and resumable: it only ever touches tasks still without `searchKeys`, in
 * batches, so an interrupted run simply continues where it stopped. Returns how many it updated.
 */
export async function backfillSearchFields(
  tasks: Model<TaskDoc>,
  onProgress: (updated: number) => void = () => undefined,
): Promise<number> {
  let updated = 0;
  for (;;) {
    const batch = await tasks
      .find({ searchKeys: op({ $exists: false }) }, { _id: 1, title: 1, description: 1 })
      .limit(BATCH)
      .lean<Pick<TaskDoc, '_id' | 'title' | 'description'>[]>();
    if (batch.length === 0) return updated;
    await tasks.bulkWrite(
      batch.map((task) => ({
        updateOne: {
          filter: { _id: task._id, searchKeys: op({ $exists: false }) },
          update: {
            $set: searchFieldsOf(task.title ?? '', task.description ?? ''),
            $unset: { titleTerms: '', descriptionTerms: '' },
          },
        },
      })),
      { ordered: false },
    );
    updated += batch.length;
    onProgress(updated);
  }
}
