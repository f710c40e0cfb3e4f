import { Types, type ClientSession, type Model } from 'mongoose';
import { taskChange, type WriteOptions } from '../../changes/change.model.js';
import { keyBetween, positionOfBoardKey, spreadPositions } from '../../tasks/board-order.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import {
  PRIORITY_RANK,
  boardKeyOf,
  compareTasks,
  newTaskRecord,
  reminderDueOf,
  slicePage,
  sortKeyOf,
  type TaskStatus,
} from '../../tasks/task.model.js';
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
  TaskWriteOutcome,
} from '../../tasks/tasks.repository.js';
import { recordMongoResponse } from './mongo-idempotency.repository.js';
import { appendMongoChange } from './mongo-changes.repository.js';
import type { MongoModels, TaskDoc } from './mongo-models.js';
import { refuse, type Transact } from './mongo-transaction.js';
import { isCastError, isDuplicateKey } from './mongo-errors.js';
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
  BOARD_INDEX,
  boardColumnFilter,
  boardStepFilter,
  op,
  type FilterDocument,
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
    // A task the board-order migration has not reached yet has no key: it sorts first, position ''.
    position: positionOfBoardKey(doc.boardKey ?? ''),
    // Tasks written before reminders and recurrence existed have neither field.
    remindAt: doc.remindAt ?? null,
    recurrence: doc.recurrence ? { rule: doc.recurrence.rule, from: doc.recurrence.from } : null,
  };
}

const objectIdOrNull = (id: string | null) => (id === null ? null : new Types.ObjectId(id));

/** The stored document of a new task, derived keys included. */
export function newTaskDoc(
  place: { projectId: string; createdBy: string; position: string },
  input: NewTask,
  now: Date,
): TaskDoc {
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
    boardKey: boardKeyOf(input.status, place.position),
    titleKey: titleKeyOfTitle(input.title),
    priorityRank: PRIORITY_RANK[input.priority],
    ...dueKeysOf(input.dueDate),
    ...searchFieldsOf(input.title, input.description),
    reminderDue: reminderDueOf(input),
  };
}

const literal = (value: unknown) => ({ $literal: value });

/**
 * reminderDueAfter as an expression over the task as it was (see task.model.ts), or undefined when
 * the update leaves the pending reminder alone whatever the task's state.
 */
function reminderDueStage(changes: TaskChanges, now: Date): unknown {
  const { status, remindAt } = changes;
  if (remindAt !== undefined) {
    if (status !== undefined) return literal(status === 'done' ? null : remindAt);
    return { $cond: [{ $eq: ['$status', 'done'] }, null, literal(remindAt)] };
  }
  if (status === undefined) return undefined;
  if (status === 'done') return literal(null);
  // Reopening revives a reminder still ahead; a move between open columns keeps whatever is pending.
  return {
    $cond: [
      { $eq: ['$status', 'done'] },
      { $cond: [{ $gt: ['$remindAt', literal(now)] }, '$remindAt', null] },
      { $ifNull: ['$reminderDue', null] },
    ],
  };
}

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
  if (changes.remindAt !== undefined) set.remindAt = literal(changes.remindAt);
  if (changes.recurrence !== undefined) set.recurrence = literal(changes.recurrence);
  const reminderDue = reminderDueStage(changes, now);
  if (reminderDue !== undefined) set.reminderDue = reminderDue;
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

type BoardNeighbour = Pick<TaskDoc, '_id' | 'boardKey'>;

/** One step along a board column (`direction` 1: first in order, -1: last): what a move's neighbour reads (and explain tests). */
export function boardStepQuery(tasks: Model<TaskDoc>, filter: FilterDocument, direction: 1 | -1) {
  return tasks.findOne(filter, { _id: 1, boardKey: 1 }).sort({ boardKey: direction, _id: direction }).hint(BOARD_INDEX);
}

const badNeighbour = (field: 'afterId' | 'beforeId', message: string): TaskMoveOutcome => ({
  kind: 'bad_neighbour',
  field,
  message,
});

/** A jittered position strictly between two bounds (null: an open end; a task without a key counts as none). */
const positionBetween = (lower: BoardNeighbour | null, upper: BoardNeighbour | null): string =>
  keyBetween(
    lower === null || lower.boardKey === '' ? null : positionOfBoardKey(lower.boardKey),
    upper === null || upper.boardKey === '' ? null : positionOfBoardKey(upper.boardKey),
    { jitter: true },
  );

/** Whether `a` comes before `b` in board order (key, then id). */
const boardBefore = (a: BoardNeighbour, b: BoardNeighbour) =>
  a.boardKey < b.boardKey || (a.boardKey === b.boardKey && a._id.toHexString() < b._id.toHexString());

/**
 * The tasks port over the `tasks` collection. Board positions are computed from neighbours read
 * just before the write, with no transaction serialising writers: keys carry a random suffix (see
 * keyBetween) so concurrent writers between the same neighbours almost surely differ, equal keys are
 * still ordered by id, and a move between two equal keys re-keys the column (in a transaction) first.
 * Every write appends its change in the transaction of the write.
 */
export function createMongoTaskRepository(
  models: Pick<MongoModels, 'tasks' | 'changes' | 'counters' | 'idempotencyKeys'>,
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

  const boardStep = (filter: FilterDocument, direction: 1 | -1) =>
    boardStepQuery(tasks, filter, direction).lean<BoardNeighbour>();

  /** The position after the last task of a column (jittered: see keyBetween). */
  const endOfColumn = async (projectId: string, status: TaskStatus, exclude?: Types.ObjectId): Promise<string> => {
    const last = await boardStep(boardColumnFilter(projectId, status, exclude), -1);
    return keyBetween(last === null ? null : positionOfBoardKey(last.boardKey), null, { jitter: true });
  };

  /** The next (1) or previous (-1) task of a column from a neighbour, leaving out the moved task. */
  const stepFrom = (
    projectId: string,
    status: TaskStatus,
    from: BoardNeighbour,
    direction: 1 | -1,
    exclude: Types.ObjectId,
  ) => boardStep(boardStepFilter(projectId, status, from, direction, exclude), direction);

  const rebalance = (projectId: string, status: TaskStatus): Promise<number> =>
    transact(async (session: ClientSession) => {
      const column = await tasks
        .find(boardColumnFilter(projectId, status), { _id: 1, boardKey: 1 })
        .sort({ boardKey: 1, _id: 1 })
        .hint(BOARD_INDEX)
        .session(session)
        .lean<BoardNeighbour[]>();
      const positions = spreadPositions(column.length);
      const writes = column.flatMap((doc, index) => {
        const boardKey = boardKeyOf(status, positions[index] as string);
        return boardKey === doc.boardKey
          ? []
          : [{ updateOne: { filter: { _id: doc._id }, update: { $set: { boardKey } } } }];
      });
      if (writes.length > 0) await tasks.bulkWrite(writes, { session, ordered: true });
      return writes.length;
    });

  const move = async (
    projectId: string,
    id: string,
    placement: BoardPlacement,
    options: WriteOptions & { expectedVersion?: number },
    attempt: number,
  ): Promise<TaskMoveOutcome> => {
    const movedId = new Types.ObjectId(id);
    const moved = await tasks.findOne(scoped(projectId, id)).lean<TaskDoc>();
    if (moved === null) return { kind: 'not_found' };
    if (options.expectedVersion !== undefined && moved.version !== options.expectedVersion) {
      return { kind: 'version_mismatch', current: toTaskRecord(moved) };
    }
    const { status } = placement;
    const neighbour = async (field: 'afterId' | 'beforeId'): Promise<BoardNeighbour | TaskMoveOutcome | null> => {
      const neighbourId = placement[field];
      if (neighbourId === undefined) return null;
      if (neighbourId === id) return badNeighbour(field, 'must not be the task being moved');
      const doc = isObjectId(neighbourId)
        ? await tasks.findOne(scoped(projectId, neighbourId), { _id: 1, boardKey: 1, status: 1 }).lean<TaskDoc>()
        : null;
      if (doc === null) return badNeighbour(field, 'must be a task of the same project');
      if (doc.status !== status) return badNeighbour(field, `must be a task in the ${status} column`);
      return { _id: doc._id, boardKey: doc.boardKey ?? '' };
    };
    const [after, before] = await Promise.all([neighbour('afterId'), neighbour('beforeId')]);
    if (after !== null && 'kind' in after) return after;
    if (before !== null && 'kind' in before) return before;
    if (after !== null && before !== null && !boardBefore(after, before)) {
      return badNeighbour('beforeId', 'must come after afterId in its column');
    }
    const { lower, upper } = await boundsOf(projectId, status, after, before, movedId);
    if (lower !== null && upper !== null && lower.boardKey >= upper.boardKey) {
      // Two tasks written with equal keys leave no key between them: re-key the column, then place again.
      if (attempt > 0)
        throw new Error(`column ${status} of project ${projectId} still has equal keys after a rebalance`);
      await rebalance(projectId, status);
      return move(projectId, id, placement, options, attempt + 1);
    }
    const stage = taskUpdateStage(status === moved.status ? {} : { status }, options.now);
    stage.$set.boardKey = literal(boardKeyOf(status, positionBetween(lower, upper)));
    // The write and its change in one transaction.
    const written = await transact(async (session): Promise<TaskDoc | TaskMoveOutcome> => {
      const found = await current(projectId, id, options.expectedVersion, session);
      if ('refusal' in found) return refuse(session, found.refusal);
      const filter = { ...scoped(projectId, id), version: found.task.version };
      const doc = await tasks.findOneAndUpdate(filter, [stage], { new: true, session }).lean<TaskDoc>();
      if (doc === null) throw new Error('the task changed inside its own write transaction');
      const after = toTaskRecord(doc);
      await appendMongoChange(models, taskChange.updated(found.task, after, options.actorId, options.now), session);
      return doc;
    });
    if ('kind' in written) return written;
    const updated = written;
    return {
      kind: 'ok',
      task: toTaskRecord(await settle(projectId, status, updated, { after, before, lower, upper })),
    };
  };

  /** The tasks a move goes between: its neighbours, or the ones next to the single neighbour named, or the column's end. */
  const boundsOf = async (
    projectId: string,
    status: TaskStatus,
    after: BoardNeighbour | null,
    before: BoardNeighbour | null,
    movedId: Types.ObjectId,
  ): Promise<{ lower: BoardNeighbour | null; upper: BoardNeighbour | null }> => ({
    lower:
      after ??
      (before === null
        ? await boardStep(boardColumnFilter(projectId, status, movedId), -1)
        : await stepFrom(projectId, status, before, -1, movedId)),
    upper: before ?? (after === null ? null : await stepFrom(projectId, status, after, 1, movedId)),
  });

  /**
   * After a move's write: if a rebalance of the column committed between reading the bounds and
   * writing (their keys changed), the key was made among the old keys, so the task is placed again
   * among the new ones. Only its key is rewritten, guarded on the version the move wrote.
   */
  const settle = async (
    projectId: string,
    status: TaskStatus,
    updated: TaskDoc,
    read: {
      after: BoardNeighbour | null;
      before: BoardNeighbour | null;
      lower: BoardNeighbour | null;
      upper: BoardNeighbour | null;
    },
  ): Promise<TaskDoc> => {
    const bounds = [read.lower, read.upper].filter((bound): bound is BoardNeighbour => bound !== null);
    if (bounds.length === 0) return updated;
    const now = await tasks
      .find({ _id: op({ $in: bounds.map((bound) => bound._id) }) }, { _id: 1, boardKey: 1 })
      .lean<BoardNeighbour[]>();
    const keyNow = new Map(now.map((doc) => [doc._id.toHexString(), doc.boardKey]));
    if (bounds.every((bound) => keyNow.get(bound._id.toHexString()) === bound.boardKey)) return updated;
    const fresh = (named: BoardNeighbour | null): BoardNeighbour | null => {
      const key = named === null ? undefined : keyNow.get(named._id.toHexString());
      return named === null || key === undefined ? null : { _id: named._id, boardKey: key };
    };
    const { lower, upper } = await boundsOf(projectId, status, fresh(read.after), fresh(read.before), updated._id);
    if (lower !== null && upper !== null && lower.boardKey >= upper.boardKey) return updated;
    const boardKey = boardKeyOf(status, positionBetween(lower, upper));
    const { modifiedCount } = await tasks.updateOne(
      { _id: updated._id, version: updated.version },
      { $set: { boardKey } },
    );
    return modifiedCount > 0 ? { ...updated, boardKey } : updated;
  };

  return {
    async create(projectId, createdBy, input, now, idempotent) {
      const position = await run(() => endOfColumn(projectId, input.status));
      const doc = newTaskDoc({ projectId, createdBy, position }, input, now);
      const task = toTaskRecord(doc);
      await run(() =>
        transact(async (session) => {
          await tasks.create([doc], { session });
          await appendMongoChange(models, taskChange.created(task, createdBy, now), session);
          await recordMongoResponse(models, idempotent, task, session);
        }),
      );
      return task;
    },

    async createNext(previous, input, actorId, now) {
      const position = await run(() => endOfColumn(previous.projectId, input.status));
      const previousId = new Types.ObjectId(previous.id);
      const doc: TaskDoc = {
        ...newTaskDoc({ projectId: previous.projectId, createdBy: previous.createdBy, position }, input, now),
        previous: previousId,
      };
      const task = toTaskRecord(doc);
      try {
        return await run(() =>
          transact(async (session) => {
            const existing = await tasks.exists({ previous: previousId }).session(session);
            if (existing !== null) return refuse(session, null);
            await tasks.create([doc], { session });
            await appendMongoChange(models, taskChange.created(task, actorId, now), session);
            return task;
          }),
        );
      } catch (error) {
        // Another worker created it between the check and the insert: previous_unique refused this one.
        if (isDuplicateKey(error)) return null;
        throw error;
      }
    },

    async move(projectId, id, placement, options) {
      if (!valid(projectId, id)) return { kind: 'not_found' };
      return run(() => move(projectId, id, placement, options, 0));
    },

    async rebalanceColumn(projectId, status) {
      if (!isObjectId(projectId)) return 0;
      return run(() => rebalance(projectId, status));
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

    async update(projectId, id, changes, { expectedVersion, now, actorId, idempotent }): Promise<TaskWriteOutcome> {
      if (!valid(projectId, id)) return { kind: 'not_found' };
      // A move to a malformed project id names no project.
      if (changes.projectId !== undefined && !isObjectId(changes.projectId)) return { kind: 'not_found' };
      return run(async () => {
        const stage = taskUpdateStage(changes, now);
        if (changes.status !== undefined || changes.projectId !== undefined) {
          // A task that changes column (status or project) goes to the end of its new column. The
          // column is read first; the stage keeps the key when the task turns out to stay in it.
          const column = await tasks.findOne(scoped(projectId, id), { status: 1 }).lean<TaskDoc>();
          if (column === null) return { kind: 'not_found' } as const;
          const status = changes.status ?? column.status;
          const target = changes.projectId ?? projectId;
          const boardKey = boardKeyOf(status, await endOfColumn(target, status, new Types.ObjectId(id)));
          stage.$set.boardKey = {
            $cond: [
              {
                $and: [
                  { $eq: ['$status', literal(status)] },
                  { $eq: ['$project', literal(new Types.ObjectId(target))] },
                ],
              },
              '$boardKey',
              literal(boardKey),
            ],
          };
        }
        return transact(async (session): Promise<TaskWriteOutcome> => {
          const found = await current(projectId, id, expectedVersion, session);
          if ('refusal' in found) return refuse(session, found.refusal);
          const filter = { ...scoped(projectId, id), version: found.task.version };
          const updated = await tasks.findOneAndUpdate(filter, [stage], { new: true, session }).lean<TaskDoc>();
          if (updated === null) throw new Error('the task changed inside its own write transaction');
          const task = toTaskRecord(updated);
          await appendMongoChange(models, taskChange.updated(found.task, task, actorId, now), session);
          await recordMongoResponse(models, idempotent, task, session);
          return { kind: 'ok', task };
        });
      });
    },

    async delete(projectId, id, { expectedVersion, now, actorId, idempotent }): Promise<TaskDeleteOutcome> {
      if (!valid(projectId, id)) return { kind: 'not_found' };
      return run(() =>
        transact(async (session): Promise<TaskDeleteOutcome> => {
          const found = await current(projectId, id, expectedVersion, session);
          if ('refusal' in found) return refuse(session, found.refusal);
          await tasks.deleteOne({ ...scoped(projectId, id), version: found.task.version }, { session });
          await appendMongoChange(models, taskChange.deleted(found.task, actorId, now), session);
          await recordMongoResponse(models, idempotent, null, session);
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
