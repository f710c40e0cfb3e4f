import { Types, type ClientSession, type Model } from 'mongoose';
import { taskChange } from '../../changes/change.model.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import { PRIORITY_RANK, compareTasks, newTaskRecord, slicePage, sortKeyOf } from '../../tasks/task.model.js';
import type {
  NewTask,
  TaskChanges,
  TaskDeleteOutcome,
  TaskListQuery,
  TaskPage,
  TaskRecord,
  TaskRepository,
  TaskWriteOutcome,
} from '../../tasks/tasks.repository.js';
import { appendMongoChange } from './mongo-changes.repository.js';
import type { MongoModels, TaskDoc } from './mongo-models.js';
import { refuse, type Transact } from './mongo-transaction.js';
import { isCastError } from './mongo-errors.js';
import { taskStatsPipeline, toTaskStats, type TaskStatsFacets } from './task-stats.mongo.js';
import {
  boundedSearchKeys,
  dueKeysOf,
  projectBatches,
  searchFieldsOf,
  searchKeysOfWords,
  searchWordsOf,
  SEARCH_KEYS_MAX,
  OVERFLOW_KEY,
  titleKeyOfTitle,
  toMongoFind,
  type MongoTaskFind,
} from './task-query.mongo.js';

/** Runs one store call, failing fast while MongoDB is unreachable and mapping outages to StoreUnavailableError. */
export type StoreRunner = <T>(work: () => Promise<T>) => Promise<T>;

export function toTaskRecord(doc: TaskDoc): TaskRecord {
  return {
    id: doc._id.toHexString(),
    projectId: doc.project.toHexString(),
    createdBy: doc.createdBy.toHexString(),
    assigneeId: doc.assignee?.toHexString() ?? null,
    title: doc.title,
    description: doc.description,
    status: doc.status,
    priority: doc.priority,
    dueDate: doc.dueDate ?? null,
    tags: [...doc.tags],
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    completedAt: doc.completedAt ?? null,
    version: doc.version,
  };
}

const objectIdOrNull = (id: string | null) => (id === null ? null : new Types.ObjectId(id));

/** The stored document of a new task, derived keys included. */
export function newTaskDoc(place: { projectId: string; createdBy: string }, input: NewTask, now: Date): TaskDoc {
  const { id, projectId, createdBy, assigneeId, ...record } = newTaskRecord(
    newObjectId(now.getTime()),
    place,
    input,
    now,
  );
  return {
    _id: new Types.ObjectId(id),
    project: new Types.ObjectId(projectId),
    createdBy: new Types.ObjectId(createdBy),
    assignee: objectIdOrNull(assigneeId),
    ...record,
    titleKey: titleKeyOfTitle(input.title),
    priorityRank: PRIORITY_RANK[input.priority],
    ...dueKeysOf(input.dueDate),
    ...searchFieldsOf(input.title, input.description),
  };
}

const literal = (value: unknown) => ({ $literal: value });

/**
 * The update as one aggregation-pipeline stage, so that `completedAt` can depend on the status the
 * task had (expressions in one `$set` read the document as it was before the stage). Every value
 * from the caller is wrapped in `$literal`: in a pipeline a string starting with `$` would
 * otherwise be read as a field path.
 */
export function taskUpdateStage(changes: TaskChanges, now: Date): { $set: Record<string, unknown> } {
  const set: Record<string, unknown> = {};
  if (changes.title !== undefined) {
    set.title = literal(changes.title);
    set.titleKey = literal(titleKeyOfTitle(changes.title));
  }
  if (changes.description !== undefined) set.description = literal(changes.description);
  Object.assign(set, searchUpdateOf(changes));
  if (changes.priority !== undefined) {
    set.priority = literal(changes.priority);
    set.priorityRank = literal(PRIORITY_RANK[changes.priority]);
  }
  if (changes.dueDate !== undefined) {
    const keys = dueKeysOf(changes.dueDate);
    set.dueDate = literal(changes.dueDate);
    set.dueAsc = literal(keys.dueAsc);
    set.dueDesc = literal(keys.dueDesc);
  }
  if (changes.tags !== undefined) set.tags = literal([...changes.tags]);
  if (changes.projectId !== undefined) set.project = literal(new Types.ObjectId(changes.projectId));
  if (changes.assigneeId !== undefined) set.assignee = literal(objectIdOrNull(changes.assigneeId));
  if (changes.status !== undefined) {
    set.status = literal(changes.status);
    set.completedAt =
      changes.status === 'done'
        ? { $cond: [{ $eq: ['$status', 'done'] }, '$completedAt', literal(now)] }
        : literal(null);
  }
  set.updatedAt = literal(now);
  set.version = { $add: ['$version', 1] };
  return { $set: set };
}

/**
 * The search fields after a change of the title, the description or both. When only one of them
 * changes, `searchKeys` is rebuilt in the pipeline from the new keys and the stored keys of the other.
 */
function searchUpdateOf(changes: TaskChanges): Record<string, unknown> {
  const { title, description } = changes;
  if (title !== undefined && description !== undefined) {
    return Object.fromEntries(
      Object.entries(searchFieldsOf(title, description)).map(([field, value]) => [field, literal(value)]),
    );
  }
  if (title === undefined && description === undefined) return {};
  const changed = title !== undefined ? 'title' : 'description';
  const kept = changed === 'title' ? 'description' : 'title';
  const words = searchWordsOf((title ?? description) as string);
  const keys = searchKeysOfWords(words);
  // The same bound as boundedSearchKeys, evaluated on the stored keys of the unchanged field.
  const union = { $setUnion: [literal(boundedSearchKeys(keys, [])), { $ifNull: [`$${kept}Keys`, []] }] };
  return {
    [`${changed}Words`]: literal(words),
    [`${changed}Keys`]: literal(keys),
    searchKeys: {
      $let: {
        vars: { union },
        in: { $cond: [{ $gt: [{ $size: '$$union' }, SEARCH_KEYS_MAX] }, literal([OVERFLOW_KEY]), '$$union'] },
      },
    },
  };
}

/** The mongoose query of one list page (also what the explain test inspects). */
export function taskListQuery(tasks: Model<TaskDoc>, find: MongoTaskFind) {
  const query = tasks.find(find.filter).sort(find.sort).limit(find.limit);
  return find.hint === null ? query : query.hint(find.hint);
}

/** Merges the pages of several finds (each in sort order) into the first `count` tasks in sort order. */
function mergePages(pages: readonly TaskRecord[][], query: TaskListQuery, count: number): TaskRecord[] {
  if (pages.length === 1) return pages[0] ?? [];
  return pages
    .flat()
    .sort((a, b) => compareTasks(a, b, query.sort))
    .slice(0, count);
}

/** The tasks port over the `tasks` collection; every write appends its change in the same transaction. */
export function createMongoTaskRepository(
  models: Pick<MongoModels, 'tasks' | 'changes' | 'counters'>,
  run: StoreRunner,
  transact: Transact,
): TaskRepository {
  const { tasks } = models;
  const scoped = (projectId: string, id: string) => ({
    _id: new Types.ObjectId(id),
    project: new Types.ObjectId(projectId),
  });
  const valid = (projectId: string, id: string) => isObjectId(projectId) && isObjectId(id);

  /**
   * The task as this transaction sees it, or the refusal: missing (or in another project), or at
   * another version than expected. Reading it inside the transaction gives the change its `from`
   * values; a concurrent writer conflicts with this transaction's write and one of them is retried.
   */
  const current = async (
    projectId: string,
    id: string,
    expectedVersion: number | undefined,
    session: ClientSession,
  ): Promise<{ task: TaskRecord } | { refusal: TaskWriteOutcome & TaskDeleteOutcome }> => {
    const doc = await tasks.findOne(scoped(projectId, id), null, { session }).lean<TaskDoc>();
    if (doc === null) return { refusal: { kind: 'not_found' } };
    const task = toTaskRecord(doc);
    if (expectedVersion !== undefined && task.version !== expectedVersion) {
      return { refusal: { kind: 'version_mismatch', current: task } };
    }
    return { task };
  };

  return {
    async create(projectId, createdBy, input, now) {
      const doc = newTaskDoc({ projectId, createdBy }, input, now);
      const task = toTaskRecord(doc);
      await run(() =>
        transact(async (session) => {
          await tasks.create([doc], { session });
          await appendMongoChange(models, taskChange.created(task, createdBy, now), session);
        }),
      );
      return task;
    },

    async findById(id) {
      if (!isObjectId(id)) return null;
      return run(async () => {
        try {
          const doc = await tasks.findOne({ _id: new Types.ObjectId(id) }).lean<TaskDoc>();
          return doc === null ? null : toTaskRecord(doc);
        } catch (error) {
          if (isCastError(error)) return null;
          throw error;
        }
      });
    },

    async update(projectId, id, changes, { expectedVersion, now, actorId }): Promise<TaskWriteOutcome> {
      if (!valid(projectId, id)) return { kind: 'not_found' };
      // A move to a malformed project id names no project.
      if (changes.projectId !== undefined && !isObjectId(changes.projectId)) return { kind: 'not_found' };
      return run(() =>
        transact(async (session): Promise<TaskWriteOutcome> => {
          const found = await current(projectId, id, expectedVersion, session);
          if ('refusal' in found) return refuse(session, found.refusal);
          const filter = { ...scoped(projectId, id), version: found.task.version };
          const updated = await tasks
            .findOneAndUpdate(filter, [taskUpdateStage(changes, now)], { new: true, session })
            .lean<TaskDoc>();
          if (updated === null) throw new Error('the task changed inside its own write transaction');
          const task = toTaskRecord(updated);
          await appendMongoChange(models, taskChange.updated(found.task, task, actorId, now), session);
          return { kind: 'ok', task };
        }),
      );
    },

    async delete(projectId, id, { expectedVersion, now, actorId }): Promise<TaskDeleteOutcome> {
      if (!valid(projectId, id)) return { kind: 'not_found' };
      return run(() =>
        transact(async (session): Promise<TaskDeleteOutcome> => {
          const found = await current(projectId, id, expectedVersion, session);
          if ('refusal' in found) return refuse(session, found.refusal);
          await tasks.deleteOne({ ...scoped(projectId, id), version: found.task.version }, { session });
          await appendMongoChange(models, taskChange.deleted(found.task, actorId, now), session);
          return { kind: 'ok' };
        }),
      );
    },

    async list(projectIds, query): Promise<TaskPage> {
      const finds = projectBatches(projectIds).map((batch) => toMongoFind(batch, query));
      if (finds.length === 0 || finds.some((find) => find === null)) return { items: [], next: null };
      return run(async () => {
        // Each batch yields its first `limit + 1` tasks in order; the first `limit + 1` of their
        // union, in the same order, are then the first of all.
        const pages = await Promise.all(
          (finds as MongoTaskFind[]).map(async (find) =>
            (await taskListQuery(tasks, find).lean<TaskDoc[]>()).map(toTaskRecord),
          ),
        );
        return slicePage(mergePages(pages, query, query.limit + 1), query.limit, (last) => ({
          key: sortKeyOf(last, query.sort.field),
          id: last.id,
        }));
      });
    },

    async stats(projectIds, { assignee, now }) {
      const ids = projectBatches(projectIds).flat();
      if (ids.length === 0 || (typeof assignee === 'string' && !isObjectId(assignee))) {
        return toTaskStats(undefined, now);
      }
      return run(async () => {
        const [facets] = await tasks.aggregate<TaskStatsFacets>(taskStatsPipeline({ projectIds: ids, assignee }, now));
        return toTaskStats(facets, now);
      });
    },
  };
}
