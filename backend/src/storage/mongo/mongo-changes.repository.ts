import { Types, type ClientSession } from 'mongoose';
import { CHANGE_TYPES, type ChangeRecord, type NewChange } from '../../changes/change.model.js';
import type { ChangeRepository } from '../../changes/changes.repository.js';
import { isObjectId } from '../../domain/ids.js';
import type { ChangeDoc, MongoModels } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';
import { op } from './task-query.mongo.js';

/** The counter whose value is the position of the newest change. */
export const CHANGE_COUNTER_ID = 'changes';
/** Changes pruned per delete, so one prune never holds many documents in one operation. */
const PRUNE_BATCH = 1000;
const TASK_CHANGE_TYPES = CHANGE_TYPES.filter((type) => type.startsWith('task.'));

type ChangeModels = Pick<MongoModels, 'changes' | 'counters'>;

const oid = (id: string) => new Types.ObjectId(id);

export function toChangeRecord(doc: ChangeDoc): ChangeRecord {
  return {
    seq: doc._id,
    projectId: doc.project.toHexString(),
    type: doc.type,
    entityId: doc.entity.toHexString(),
    version: doc.version,
    actorId: doc.actor.toHexString(),
    at: doc.at,
    fields: doc.fields,
    alsoProjectId: doc.alsoProject?.toHexString() ?? null,
    recipients: (doc.recipients ?? []).map((id) => id.toHexString()),
  };
}

/**
 * Appends a change inside the caller's transaction. Its position comes from one counter document
 * incremented in the same transaction: two transactions that both append write that document, so
 * the second conflicts with the first, is retried by the driver after the first commits, and takes
 * the next value. Positions therefore follow commit order, and a reader who has seen position n
 * has seen every change before it. The price is that all writes that append serialise on the
 * counter; a sequencer fed by a change stream would keep them parallel at the cost of a moving part.
 */
export async function appendMongoChange(
  models: ChangeModels,
  change: NewChange,
  session: ClientSession,
): Promise<number> {
  const counter = await models.counters
    .findOneAndUpdate({ _id: CHANGE_COUNTER_ID }, { $inc: { value: 1 } }, { upsert: true, new: true, session })
    .lean<{ value: number }>();
  if (counter === null) throw new Error('the change counter was not written');
  const doc: ChangeDoc = {
    _id: counter.value,
    project: oid(change.projectId),
    type: change.type,
    entity: oid(change.entityId),
    version: change.version,
    actor: oid(change.actorId),
    at: change.at,
    fields: change.fields,
  };
  if (change.alsoProjectId) doc.alsoProject = oid(change.alsoProjectId);
  if (change.recipients !== undefined && change.recipients.length > 0) doc.recipients = change.recipients.map(oid);
  await models.changes.create([doc], { session });
  return counter.value;
}

export function createMongoChangeRepository(models: ChangeModels, run: StoreRunner): ChangeRepository {
  const { changes, counters } = models;
  const byPosition = { _id: 1 } as const;

  return {
    async listFor(userId, projectIds, since, limit) {
      const projects = projectIds.filter(isObjectId).map(oid);
      const sources: Record<string, unknown>[] = [];
      if (projects.length > 0) {
        sources.push({ project: op({ $in: projects }) }, { alsoProject: op({ $in: projects }) });
      }
      if (isObjectId(userId)) sources.push({ recipients: oid(userId) });
      if (sources.length === 0) return [];
      return run(async () => {
        // One indexed range per source after the cursor; each yields at most `limit` changes in
        // order, so the first `limit` of their union are the first of all.
        const pages = await Promise.all(
          sources.map((source) =>
            changes
              .find({ ...source, _id: op({ $gt: since }) })
              .sort(byPosition)
              .limit(limit)
              .lean<ChangeDoc[]>(),
          ),
        );
        const unique = new Map<number, ChangeDoc>();
        for (const doc of pages.flat()) unique.set(doc._id, doc);
        return [...unique.values()]
          .sort((a, b) => a._id - b._id)
          .slice(0, limit)
          .map(toChangeRecord);
      });
    },

    async after(since, limit) {
      return run(async () => {
        const docs = await changes
          .find({ _id: op({ $gt: since }) })
          .sort(byPosition)
          .limit(limit)
          .lean<ChangeDoc[]>();
        return docs.map(toChangeRecord);
      });
    },

    async forTask(taskId, { before, limit }) {
      if (!isObjectId(taskId)) return [];
      return run(async () => {
        const filter: Record<string, unknown> = { entity: oid(taskId), type: op({ $in: TASK_CHANGE_TYPES }) };
        if (before !== undefined) filter._id = op({ $lt: before });
        const docs = await changes.find(filter).sort({ _id: -1 }).limit(limit).lean<ChangeDoc[]>();
        return docs.map(toChangeRecord);
      });
    },

    async bounds() {
      return run(async () => {
        const [counter, first] = await Promise.all([
          counters.findById(CHANGE_COUNTER_ID).lean<{ value: number }>(),
          changes.findOne({}, { _id: 1 }).sort(byPosition).lean<Pick<ChangeDoc, '_id'>>(),
        ]);
        return { head: counter?.value ?? 0, oldest: first?._id ?? null };
      });
    },

    async prune(before) {
      let total = 0;
      for (;;) {
        // From the start of the log while changes are older than the cutoff, so what is kept is
        // one unbroken run of positions.
        const count = await run(async () => {
          const oldest = await changes
            .find({}, { _id: 1, at: 1 })
            .sort(byPosition)
            .limit(PRUNE_BATCH)
            .lean<Pick<ChangeDoc, '_id' | 'at'>[]>();
          let through: number | null = null;
          let n = 0;
          for (const doc of oldest) {
            if (doc.at >= before) break;
            through = doc._id;
            n += 1;
          }
          if (through !== null) await changes.deleteMany({ _id: op({ $lte: through }) });
          return n;
        });
        total += count;
        if (count < PRUNE_BATCH) return total;
      }
    },
  };
}
