import { CHANGE_COUNTER_ID } from './mongo-changes.repository.js';
import type { Model, Types, mongo } from 'mongoose';
import { PERSONAL_PROJECT_NAME } from '../../projects/project.model.js';
import { modelList, type MongoModels, type TaskDoc } from './mongo-models.js';
import { newProjectDoc } from './project-query.mongo.js';
import { migratedPosition, positionOfBoardKey, positionsAfter } from '../../tasks/board-order.js';
import { boardKeyOf, TASK_STATUSES, type TaskStatus } from '../../tasks/task.model.js';
import { BOARD_INDEX, boardColumnFilter, op, searchFieldsOf, sortPlanOf } from './task-query.mongo.js';

const BATCH = 500;

/** What moving to projects did in one run (zero everywhere when an earlier run finished the job). */
export interface ProjectMigration {
  /** Personal projects created for users who had none. */
  personalProjects: number;
  /** Owner memberships of personal projects created where there was none. */
  ownerMemberships: number;
  /** Tasks moved from `user` to `project`, `createdBy` and `assignee`. */
  tasks: number;
}

type Progress = (step: 'users' | 'tasks', done: number) => void;

/**
 * A task not moved yet: no `project` (a missing field is indexed as null, so this is the null range
 * of any `project` index, empty once the job is done) and an owner to move it to (a task without
 * one could never leave the range).
 */
export const UNMOVED_TASK = { project: null, user: { $type: 'objectId' } } as const;

/** The index the task step walks (declared by the task schema, created by `syncIndexes` before the step). */
export const UNMOVED_TASK_INDEX = { project: 1, status: 1 } as const;

/**
 * The update that moves one task (read with its `user`) into its owner's personal project. `user`
 * stays until `dropLegacyTaskOwner`: instances of the previous version still read it during the roll.
 */
export function moveTaskUpdate(user: Types.ObjectId): mongo.UpdateFilter<mongo.Document> {
  return { $set: { project: user, createdBy: user, assignee: null } };
}

/** A moved task still carrying the previous version's `user` field. */
export const LEGACY_OWNER = { project: { $type: 'objectId' }, user: { $exists: true } } as const;

/**
 * After the roll, once no instance of the previous version runs: removes the `user` field it read.
 * Idempotent (a second run matches nothing). Returns how many tasks it changed.
 */
export async function dropLegacyTaskOwner(models: MongoModels): Promise<number> {
  const result = await models.tasks.collection.updateMany(LEGACY_OWNER, { $unset: { user: '' } });
  return result.modifiedCount;
}

/**
 * Moves a database from per-user tasks to projects, before the version with projects takes traffic
 * (run by `db:indexes`, after the indexes are in place). Every user gets a personal project (id =
 * user id, "Inbox") with an owner membership, and every task still carrying `user` gets `project` =
 * that user's personal project, `createdBy` = the user, `assignee` = null (keeping `user`, see moveTaskUpdate).
 * Idempotent and resumable: the writes are upserts by key (which change nothing that exists) and
 * task updates guarded on the task not having moved, and a moved task leaves the range the next
 * batch reads; so a run after an interruption finishes the job and a run after a finished one
 * changes nothing. It uses the driver's collections: `user` is no longer in the task schema, and
 * mongoose would strip it from filters and updates.
 */
export async function migrateToProjects(
  models: MongoModels,
  onProgress: Progress = () => undefined,
): Promise<ProjectMigration> {
  const result: ProjectMigration = { personalProjects: 0, ownerMemberships: 0, tasks: 0 };
  let users = 0;
  let after: Types.ObjectId | undefined;
  for (;;) {
    // Users in `_id` order (the `_id` index), so a re-run reads each once and writes nothing new.
    const batch = await models.users.collection
      .find<{ _id: Types.ObjectId; createdAt?: Date }>(after === undefined ? {} : { _id: { $gt: after } }, {
        projection: { _id: 1, createdAt: 1 },
      })
      .sort({ _id: 1 })
      .limit(BATCH)
      .toArray();
    if (batch.length === 0) break;
    const since = (user: { _id: Types.ObjectId; createdAt?: Date }) => user.createdAt ?? user._id.getTimestamp();
    const projects = await models.projects.collection.bulkWrite(
      batch.map((user) => {
        const { _id, ...project } = newProjectDoc(
          user._id.toHexString(),
          { name: PERSONAL_PROJECT_NAME, description: '', color: null },
          true,
          since(user),
        );
        return { updateOne: { filter: { _id }, update: { $setOnInsert: project }, upsert: true } };
      }),
      { ordered: false },
    );
    const memberships = await models.memberships.collection.bulkWrite(
      batch.map((user) => ({
        updateOne: {
          filter: { project: user._id, user: user._id },
          update: { $setOnInsert: { role: 'owner', joinedAt: since(user) } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    result.personalProjects += projects.upsertedCount;
    result.ownerMemberships += memberships.upsertedCount;
    users += batch.length;
    onProgress('users', users);
    after = batch[batch.length - 1]?._id;
  }

  for (;;) {
    const batch = await models.tasks.collection
      .find<{ _id: Types.ObjectId; user: Types.ObjectId }>(UNMOVED_TASK, { projection: { _id: 1, user: 1 } })
      .hint(UNMOVED_TASK_INDEX)
      .limit(BATCH)
      .toArray();
    if (batch.length === 0) break;
    const moved = await models.tasks.collection.bulkWrite(
      batch.map((task) => ({
        updateOne: { filter: { _id: task._id, ...UNMOVED_TASK }, update: moveTaskUpdate(task.user) },
      })),
      { ordered: false },
    );
    result.tasks += moved.modifiedCount;
    onProgress('tasks', result.tasks);
  }
  return result;
}

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

/** A task stored before board order: it has no board key yet. */
export const UNPLACED_TASK = { boardKey: { $exists: false } } as const;

/** The default list order (newest first), whose index the board step walks per column. */
export const DEFAULT_ORDER_INDEX = sortPlanOf({ field: 'createdAt', direction: 'desc' }).index;

/**
 * Gives every task without a board key a position at the end of its project's column, the column's
 * unplaced tasks in the default list order (newest first): on the first run that numbers each column
 * as the embedded store's migration 8 does (`d0000`, `d0001`, …); tasks written later by the previous
 * version during the roll (the after-roll run) follow the column's placed ones. Idempotent and
 * resumable: each write is guarded on the task having no key, and a column's writes are ordered, so an
 * interrupted column keeps a placed prefix in order and the next run appends the rest after it.
 * Uses the driver's collection, as migrateToProjects does. Returns how many tasks it placed.
 */
export async function assignBoardPositions(
  models: MongoModels,
  onProgress: (placed: number) => void = () => undefined,
): Promise<number> {
  const tasks = models.tasks.collection;
  let placed = 0;
  for (;;) {
    const sample = await tasks
      .find<{ project: Types.ObjectId; status: TaskStatus }>(UNPLACED_TASK, { projection: { project: 1, status: 1 } })
      .limit(BATCH)
      .toArray();
    if (sample.length === 0) return placed;
    const columns = new Map<string, { project: Types.ObjectId; status: TaskStatus }>();
    for (const task of sample) {
      // A status outside the enum has no column; such a document was never written by this code.
      if ((TASK_STATUSES as readonly string[]).includes(task.status)) {
        columns.set(`${task.project.toHexString()}:${task.status}`, task);
      }
    }
    if (columns.size === 0) return placed;
    for (const { project, status } of columns.values()) {
      const unplaced = await tasks
        .find<{ _id: Types.ObjectId }>({ project, status, ...UNPLACED_TASK }, { projection: { _id: 1 } })
        .sort({ createdAt: -1, _id: -1 })
        .hint(DEFAULT_ORDER_INDEX)
        .toArray();
      const [last] = await tasks
        .find<{ boardKey: string }>(boardColumnFilter(project.toHexString(), status), { projection: { boardKey: 1 } })
        .sort({ boardKey: -1, _id: -1 })
        .hint(BOARD_INDEX)
        .limit(1)
        .toArray();
      const positions =
        last === undefined
          ? unplaced.map((_, index) => migratedPosition(index))
          : positionsAfter(positionOfBoardKey(last.boardKey), unplaced.length);
      if (unplaced.length === 0) continue;
      const written = await tasks.bulkWrite(
        unplaced.map((task, index) => ({
          updateOne: {
            filter: { _id: task._id, ...UNPLACED_TASK },
            update: { $set: { boardKey: boardKeyOf(status, positions[index] as string) } },
          },
        })),
        { ordered: true },
      );
      placed += written.modifiedCount;
    }
    onProgress(placed);
  }
}

/**
 * One phase of the deploy's migration step (see scripts/db-indexes.ts). `before-roll` creates the
 * missing declared indexes (dropping none) and moves data forward, keeping what the previous version
 * reads; `after-roll` moves what that version wrote meanwhile, then drops undeclared indexes
 * (`syncIndexes`) and the fields only it read. `log` gets one line per step.
 */
export async function migrationStep(
  models: MongoModels,
  phase: 'before-roll' | 'after-roll',
  log: (line: string) => void,
): Promise<void> {
  const describe = (specs: unknown[]) => specs.map((spec) => JSON.stringify(spec)).join(', ') || 'none';
  for (const model of modelList(models)) {
    const { toCreate, toDrop } = await model.diffIndexes();
    if (phase === 'after-roll') {
      await model.syncIndexes();
      log(`${model.modelName}: created ${describe(toCreate)}; dropped ${describe(toDrop)}`);
    } else {
      await model.createIndexes();
      log(`${model.modelName}: created ${describe(toCreate)}; kept until --after-roll: ${describe(toDrop)}`);
    }
  }
  // Every change takes its position from this counter inside the writing transaction; creating it
  // here keeps the first writes of a new deployment from racing to insert it.
  await models.counters.updateOne({ _id: CHANGE_COUNTER_ID }, { $setOnInsert: { value: 0 } }, { upsert: true });
  log('changes: position counter ready');
  // After the indexes: the task step walks a `project` index.
  const moved = await migrateToProjects(models, (step, count) =>
    log(`projects: ${count} ${step === 'users' ? 'user(s) checked' : 'task(s) moved'} so far`),
  );
  log(
    `projects: ${moved.personalProjects} personal project(s) and ${moved.ownerMemberships} owner membership(s) created; ${moved.tasks} task(s) moved into projects`,
  );
  const backfilled = await backfillSearchFields(models.tasks, (count) =>
    log(`tasks: search fields added to ${count} task(s) so far`),
  );
  log(`tasks: ${backfilled} task(s) given search fields`);
  const placed = await assignBoardPositions(models, (count) => log(`tasks: ${count} task(s) placed on boards so far`));
  log(`tasks: ${placed} task(s) given a board position`);
  if (phase === 'after-roll') {
    log(`tasks: the previous version's owner field removed from ${await dropLegacyTaskOwner(models)} task(s)`);
  }
}
