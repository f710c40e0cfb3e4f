import { Types } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dropLegacyTaskOwner,
  LEGACY_OWNER,
  migrateToProjects,
  UNMOVED_TASK,
  UNMOVED_TASK_INDEX,
} from '../../src/storage/mongo/mongo-migrations.js';
import { createMongoTaskRepository } from '../../src/storage/mongo/mongo-tasks.repository.js';
import { plain } from './mingo-helpers.js';
import { recordingStore, type RecordingStore } from './recording-store.js';

// The move to projects over the recording store (see recording-store.ts): what the migration sends,
// and that a second run, or a run after an interruption, ends in the same state.

const T0 = Date.UTC(2025, 10, 1);
const hex = (n: number) => `65f0a0b0${n.toString(16).padStart(16, '0')}`;

let store: RecordingStore;
beforeEach(() => {
  store = recordingStore();
});
afterEach(async () => {
  await store.close();
});

/** Users and tasks as the version before projects stored them (tasks keyed by `user`). */
function seedLegacy(taskCount: number) {
  const users = [hex(1), hex(2), hex(3)];
  for (const [i, user] of users.entries()) {
    store.insert('users', {
      _id: new Types.ObjectId(user),
      email: `u${i}@example.test`,
      name: `U${i}`,
      passwordHash: 'h',
      createdAt: new Date(T0 + i),
    });
  }
  for (let i = 0; i < taskCount; i += 1) {
    store.insert('tasks', {
      _id: new Types.ObjectId(hex(1000 + i)),
      user: new Types.ObjectId(users[i % users.length]),
      title: `Legacy ${i}`,
      description: '',
      status: 'todo',
      priority: 'medium',
      dueDate: null,
      tags: [],
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      completedAt: null,
      version: 3,
    });
  }
  return users;
}

describe('migrateToProjects', () => {
  it("when legacy users and tasks are migrated, then each user owns an Inbox with their id and each task moves into its owner's", async () => {
    const users = seedLegacy(1200);
    // A task without an owner cannot move (and must not keep the walk going).
    store.insert('tasks', { _id: new Types.ObjectId(hex(9000)), title: 'orphan', user: null });
    const result = await migrateToProjects(store.models);
    expect(result).toEqual({ personalProjects: 3, ownerMemberships: 3, tasks: 1200 });
    expect(store.data.projects?.map((p) => [p._id, p.name, p.personal, p.version, p.createdAt])).toEqual(
      users.map((user, i) => [user, 'Inbox', true, 1, new Date(T0 + i)]),
    );
    expect(store.data.memberships?.map((m) => [m.project, m.user, m.role])).toEqual(
      users.map((user) => [user, user, 'owner']),
    );
    const moved = store.data.tasks?.filter((t) => t.title !== 'orphan') ?? [];
    // The previous version still reads `user` during the roll: it goes only after it (dropLegacyTaskOwner).
    expect(moved.every((t) => t.project === t.createdBy && t.assignee === null && t.user === t.project)).toBe(true);
    expect(moved.filter((t) => t.project === users[0])).toHaveLength(400);
    expect(moved.every((t) => t.version === 3)).toBe(true);

    // Users are walked by `_id`; tasks by the null range of a `project` index (only the unmoved ones).
    const userReads = store.calls('users', 'find');
    expect(userReads[0]?.cursor).toMatchObject({ sort: { _id: 1 }, limit: 500 });
    const taskReads = store.calls('tasks', 'find');
    expect(taskReads.map((call) => call.cursor.hint)).toEqual(taskReads.map(() => UNMOVED_TASK_INDEX));
    expect(plain(taskReads[0]?.args[0])).toEqual(UNMOVED_TASK);
    expect(taskReads).toHaveLength(4); // three batches of at most 500, then an empty read
    const [write] = store.calls('tasks', 'bulkWrite');
    const [first] = write?.args[0] as { updateOne: { filter: object; update: object } }[];
    expect(plain(first?.updateOne)).toEqual({
      filter: { _id: hex(1000), ...UNMOVED_TASK },
      update: { $set: { project: users[0], createdBy: users[0], assignee: null } },
    });

    // The moved tasks read back through the new repository, under the owner's personal project.
    const tasks = createMongoTaskRepository(store.models.tasks, store.run, store.transact);
    const page = await tasks.list([users[1] as string], {
      filter: {},
      sort: { field: 'createdAt', direction: 'desc' },
      limit: 500,
    });
    expect(page.items).toHaveLength(400);
    expect(page.items[0]).toMatchObject({ projectId: users[1], createdBy: users[1], assigneeId: null });
  });

  it('when the roll is over, then the legacy owner field goes from moved tasks only, once', async () => {
    seedLegacy(30);
    await migrateToProjects(store.models);
    store.insert('tasks', { _id: new Types.ObjectId(hex(9100)), title: 'written by the old version', user: null });
    expect(await dropLegacyTaskOwner(store.models)).toBe(30);
    expect(store.data.tasks?.filter((t) => 'user' in t).map((t) => t.title)).toEqual(['written by the old version']);
    expect(await dropLegacyTaskOwner(store.models)).toBe(0);
    expect(plain(store.calls('tasks', 'updateMany')[0]?.args[0])).toEqual(plain(LEGACY_OWNER));
  });

  it('when the migration runs again, then it changes nothing', async () => {
    seedLegacy(30);
    await migrateToProjects(store.models);
    const after = structuredClone(store.data);
    expect(await migrateToProjects(store.models)).toEqual({ personalProjects: 0, ownerMemberships: 0, tasks: 0 });
    expect(store.data).toEqual(after);
  });

  it('when a run is interrupted between batches, then the next run finishes the job with the same result as one run', async () => {
    seedLegacy(1200);
    const clean = recordingStore();
    try {
      for (const [name, docs] of Object.entries(store.data)) clean.insert(name, ...docs.map((doc) => plainToApp(doc)));
      await migrateToProjects(clean.models);
      const interrupted = migrateToProjects(store.models, (step, count) => {
        if (step === 'tasks' && count >= 500) throw new Error('killed');
      });
      await expect(interrupted).rejects.toThrow('killed');
      expect(store.data.tasks?.filter((t) => !('project' in t) || t.project === null)).toHaveLength(700);
      expect(await migrateToProjects(store.models)).toEqual({ personalProjects: 0, ownerMemberships: 0, tasks: 700 });
      // Memberships get their `_id` from the server on insert; everything else is the same.
      const withoutMembershipIds = (data: RecordingStore['data']) => ({
        ...data,
        memberships: data.memberships?.map(({ _id, ...membership }) => membership),
      });
      expect(withoutMembershipIds(store.data)).toEqual(withoutMembershipIds(clean.data));
    } finally {
      await clean.close();
    }
  });

  it('when a personal project exists without its owner membership (half of a pair), then only the membership is added', async () => {
    const [first] = seedLegacy(0);
    store.insert('projects', { _id: new Types.ObjectId(first), name: 'Inbox', nameKey: 'inbox', personal: true });
    const result = await migrateToProjects(store.models);
    expect(result).toEqual({ personalProjects: 2, ownerMemberships: 3, tasks: 0 });
    expect(store.data.projects?.find((p) => p._id === first)).toEqual({
      _id: first,
      name: 'Inbox',
      nameKey: 'inbox',
      personal: true,
    });
  });
});

/** A held (plain) document as the application would write it: hex ids back to ObjectIds. */
function plainToApp(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(doc).map(([key, value]) => [
      key,
      typeof value === 'string' && /^[0-9a-f]{24}$/.test(value) && key !== 'title' ? new Types.ObjectId(value) : value,
    ]),
  );
}
