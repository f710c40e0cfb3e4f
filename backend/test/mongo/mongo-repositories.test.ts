import { Types } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareProjects,
  projectCursorOf,
  type ProjectCursor,
  type ProjectView,
} from '../../src/projects/project.model.js';
import type { InvitationRepository, ProjectRepository } from '../../src/projects/projects.repository.js';
import { createMongoInvitationRepository } from '../../src/storage/mongo/mongo-invitations.repository.js';
import { READ_TIME_LIMIT_MS } from '../../src/storage/mongo/mongo-models.js';
import { createMongoProjectRepository } from '../../src/storage/mongo/mongo-projects.repository.js';
import { createMongoTaskRepository, newTaskDoc } from '../../src/storage/mongo/mongo-tasks.repository.js';
import { compareTasks, sortKeyOf } from '../../src/tasks/task.model.js';
import type {
  NewTask,
  TaskCursor,
  TaskFilter,
  TaskRecord,
  TaskRepository,
  TaskSort,
} from '../../src/tasks/tasks.repository.js';
import { plain } from './mingo-helpers.js';
import { recordingStore, type RecordingStore, type SentCall } from './recording-store.js';

// The repositories over models whose driver collections record what mongoose sends and answer
// from documents in memory (mingo): filters, sorts, hints, updates and transactions as they would
// reach MongoDB, checked without a server.

const T0 = Date.UTC(2026, 2, 15, 10);
const at = (ms: number) => new Date(ms);
const MIN_OBJECT_ID = '000000000000000000000000';
let seq = 0;
/** A fresh ObjectId hex, increasing. */
const id = () => `65f0a0b0${(seq++).toString(16).padStart(16, '0')}`;

const task = (overrides: Partial<NewTask> = {}): NewTask => ({
  title: 'Task',
  remindAt: null,
  recurrence: null,
  description: '',
  status: 'todo',
  priority: 'medium',
  dueDate: null,
  tags: [],
  assigneeId: null,
  ...overrides,
});

let store: RecordingStore;
let tasks: TaskRepository;
let projects: ProjectRepository;
let invitations: InvitationRepository;

beforeEach(() => {
  store = recordingStore();
  tasks = createMongoTaskRepository(store.models, store.run, store.transact);
  projects = createMongoProjectRepository(store.models, store.run, store.transact);
  invitations = createMongoInvitationRepository(store.models, store.run, store.transact);
});
afterEach(async () => {
  await store.close();
});

const options = (call: SentCall) => (call.args[1] ?? {}) as Record<string, unknown>;
const filterOf = (call: SentCall) => plain(call.args[0]) as Record<string, unknown>;

/** A user stored as the users repository stores one. */
function addUser(name: string, email = `${name.toLowerCase()}@example.test`): string {
  const userId = id();
  store.insert('users', { _id: new Types.ObjectId(userId), email, name, passwordHash: 'h', createdAt: at(T0) });
  return userId;
}

describe('tasks: lists over several projects', () => {
  const ME = id();
  const YOU = id();

  /** Tasks in `count` projects, three each (assigned to me, to you, to nobody), plus a stranger's. */
  function seedProjects(count: number): { projectIds: string[]; records: TaskRecord[]; stranger: string } {
    const projectIds = Array.from({ length: count }, id);
    const stranger = id();
    const records: TaskRecord[] = [];
    let n = 0;
    for (const projectId of [...projectIds, stranger]) {
      for (const assigneeId of [ME, YOU, null]) {
        n += 1;
        const doc = newTaskDoc(
          { projectId, createdBy: ME, position: `a${n % 10}` },
          task({ title: `t${n % 7}`, priority: (['low', 'high'] as const)[n % 2], assigneeId }),
          at(T0 + (n % 11) * 1000),
        );
        store.insert('tasks', doc);
        if (projectId !== stranger) records.push({ ...doc, ...recordOf(doc) });
      }
    }
    return { projectIds, records, stranger };
  }
  const recordOf = (doc: ReturnType<typeof newTaskDoc>): TaskRecord => ({
    id: doc._id.toHexString(),
    projectId: doc.project.toHexString(),
    createdBy: doc.createdBy.toHexString(),
    assigneeId: doc.assignee?.toHexString() ?? null,
    title: doc.title,
    description: doc.description,
    status: doc.status,
    priority: doc.priority,
    dueDate: doc.dueDate,
    tags: doc.tags,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    completedAt: doc.completedAt,
    version: doc.version,
    position: doc.boardKey.slice(1),
    remindAt: doc.remindAt,
    recurrence: doc.recurrence,
  });

  async function walk(projectIds: string[], sort: TaskSort, filter: TaskFilter, limit: number) {
    const seen: TaskRecord[] = [];
    let after: TaskCursor | undefined;
    for (let page = 0; page < 100; page += 1) {
      const result = await tasks.list(projectIds, { filter, sort, limit, ...(after ? { after } : {}) });
      seen.push(...result.items);
      if (result.next === null) return seen;
      const last = result.items.at(-1) as TaskRecord;
      expect(result.next).toEqual({ key: sortKeyOf(last, sort.field), id: last.id });
      after = result.next;
    }
    throw new Error('the walk did not end');
  }

  it('when a user is in 250 projects, then each page is one find per batch of at most 200 projects, merged in sort order', async () => {
    const { projectIds, records } = seedProjects(250);
    const sort: TaskSort = { field: 'createdAt', direction: 'desc' };
    const shuffled = [...projectIds].reverse();
    const first = await tasks.list([...shuffled, shuffled[0] as string, 'nope'], { filter: {}, sort, limit: 7 });
    const finds = store.calls('tasks', 'find');
    expect(finds).toHaveLength(2);
    const batches = finds.map((call) => (filterOf(call).project as { $in: string[] }).$in);
    expect(batches.map((batch) => batch.length)).toEqual([200, 50]);
    expect(batches.flat()).toEqual([...projectIds].sort());
    for (const call of finds) {
      expect(options(call)).toMatchObject({
        sort: { createdAt: -1, _id: -1 },
        limit: 8,
        hint: { project: 1, createdAt: -1, _id: -1 },
        maxTimeMS: READ_TIME_LIMIT_MS,
      });
    }
    const expected = [...records].sort((a, b) => compareTasks(a, b, sort));
    expect(first.items.map((t) => t.id)).toEqual(expected.slice(0, 7).map((t) => t.id));
  });

  it('when every page is walked over many projects with any sort and assignee filter, then each matching task comes once in order and no stranger task comes', async () => {
    const { projectIds, records } = seedProjects(205);
    for (const sort of [
      { field: 'createdAt', direction: 'asc' },
      { field: 'title', direction: 'desc' },
      { field: 'priority', direction: 'asc' },
    ] as TaskSort[]) {
      for (const filter of [{}, { assignee: ME }, { assignee: null }] as TaskFilter[]) {
        const seen = await walk(projectIds, sort, filter, 50);
        const expected = records
          .filter((t) => filter.assignee === undefined || t.assigneeId === filter.assignee)
          .sort((a, b) => compareTasks(a, b, sort));
        expect(
          seen.map((t) => t.id),
          `${sort.direction} ${sort.field} ${JSON.stringify(filter)}`,
        ).toEqual(expected.map((t) => t.id));
      }
    }
  });

  it('when listing the tasks assigned to me, then the assignee index is hinted and the filter repeats its partial filter (or the server would refuse the hint)', async () => {
    const { projectIds } = seedProjects(3);
    await tasks.list(projectIds, { filter: { assignee: ME }, sort: { field: 'dueDate', direction: 'desc' }, limit: 5 });
    const [call] = store.calls('tasks', 'find');
    expect(filterOf(call as SentCall)).toEqual({
      project: { $in: [...projectIds].sort() },
      assignee: { $eq: ME, $gte: MIN_OBJECT_ID },
    });
    expect(options(call as SentCall).hint).toEqual({ assignee: 1, project: 1, dueDesc: 1, _id: -1 });
  });

  it('when the projects or the assignee cannot name anything, then the page is empty and nothing is sent', async () => {
    seedProjects(1);
    const query = { filter: {}, sort: { field: 'createdAt', direction: 'desc' } as TaskSort, limit: 5 };
    expect(await tasks.list([], query)).toEqual({ items: [], next: null });
    expect(await tasks.list(['nope'], query)).toEqual({ items: [], next: null });
    expect(await tasks.list([id()], { ...query, filter: { assignee: 'me' } })).toEqual({ items: [], next: null });
    expect(store.sent).toEqual([]);
  });

  it('when stats cover several projects and an assignee, then one aggregation matches them as a list does', async () => {
    const { projectIds, records } = seedProjects(4);
    const stats = await tasks.stats(projectIds, { assignee: ME, now: at(T0) });
    expect(stats.total).toBe(records.filter((t) => t.assigneeId === ME).length);
    const [call] = store.calls('tasks', 'aggregate');
    const [match] = plain(call?.args[0]) as Record<string, unknown>[];
    expect(match).toEqual({
      $match: { project: { $in: [...projectIds].sort() }, assignee: { $eq: ME, $gte: MIN_OBJECT_ID } },
    });
    expect(options(call as SentCall).maxTimeMS).toBe(READ_TIME_LIMIT_MS);
    expect((await tasks.stats(projectIds, { assignee: null, now: at(T0) })).total).toBe(4);
    expect((await tasks.stats([], { now: at(T0) })).total).toBe(0);
  });
});

describe('tasks: reads and writes scoped by project', () => {
  it("when a task is read by id, then any project's task is found; when written, only through its own project", async () => {
    const [home, away, me] = [id(), id(), id()];
    const created = await tasks.create(home, me, task({ title: 'Plan' }), at(T0));
    expect(created).toMatchObject({ projectId: home, createdBy: me, assigneeId: null, version: 1 });
    expect(await tasks.findById(created.id)).toEqual(created);
    expect(filterOf(store.calls('tasks', 'findOne').at(-1) as SentCall)).toEqual({ _id: created.id });

    expect(await tasks.update(away, created.id, { title: 'x' }, { actorId: away, now: at(T0 + 1) })).toEqual({
      kind: 'not_found',
    });
    expect(await tasks.delete(away, created.id, { now: new Date(), actorId: away })).toEqual({ kind: 'not_found' });
    // Read in the transaction through the caller's project, and nothing written.
    const lookups = store.calls('tasks', 'findOne').slice(-2);
    for (const lookup of lookups) {
      expect(filterOf(lookup)).toEqual({ _id: created.id, project: away });
      expect(lookup.inTransaction).toBe(true);
    }
    expect(store.calls('tasks', 'findOneAndUpdate')).toEqual([]);
    expect(store.calls('tasks', 'deleteOne')).toEqual([]);

    expect(await tasks.update(home, created.id, { projectId: 'nope' }, { actorId: home, now: at(T0 + 1) })).toEqual({
      kind: 'not_found',
    });
    const moved = await tasks.update(
      home,
      created.id,
      { projectId: away },
      { actorId: home, expectedVersion: 1, now: at(T0 + 2) },
    );
    expect(moved).toMatchObject({ kind: 'ok', task: { projectId: away, version: 2 } });
    // Moved away meanwhile: a writer still authorized in the old project finds nothing.
    expect(await tasks.update(home, created.id, { title: 'y' }, { actorId: home, now: at(T0 + 3) })).toEqual({
      kind: 'not_found',
    });
    expect(await tasks.delete(away, created.id, { now: new Date(), actorId: away, expectedVersion: 1 })).toMatchObject({
      kind: 'version_mismatch',
    });
    expect(await tasks.delete(away, created.id, { now: new Date(), actorId: away, expectedVersion: 2 })).toEqual({
      kind: 'ok',
    });
    // One change per version, positions from the counter in commit order, each in its write's transaction.
    expect(store.data.changes?.map((change) => [change._id, change.type, change.version, change.project])).toEqual([
      [1, 'task.created', 1, home],
      [2, 'task.updated', 2, away],
      [3, 'task.deleted', 3, away],
    ]);
    expect(store.data.changes?.[1]).toMatchObject({
      alsoProject: home,
      actor: home,
    });
    // A move to another project also puts the task at the end of its column there.
    expect((store.data.changes?.[1]?.fields as { field: string }[] | undefined)?.map((change) => change.field)).toEqual(
      ['projectId', 'position'],
    );
    expect(store.data.counters).toEqual([{ _id: 'changes', value: 3 }]);
    for (const call of [...store.calls('counters', 'findOneAndUpdate'), ...store.calls('changes', 'insertOne')]) {
      expect(call.inTransaction).toBe(true);
    }
  });
});

describe('projects and memberships', () => {
  it('when the personal project is ensured twice, then one "Inbox" with the user\'s id and one owner membership exist, written by upserts in a transaction', async () => {
    const ada = addUser('Ada');
    await projects.ensurePersonal(ada, at(T0));
    await projects.ensurePersonal(ada, at(T0 + 5000));
    expect(store.data.projects).toEqual([
      expect.objectContaining({
        _id: ada,
        name: 'Inbox',
        nameKey: 'inbox',
        personal: true,
        version: 1,
        createdAt: at(T0),
      }),
    ]);
    expect(store.data.memberships).toEqual([
      expect.objectContaining({ project: ada, user: ada, role: 'owner', joinedAt: at(T0) }),
    ]);
    for (const call of [...store.calls('projects', 'updateOne'), ...store.calls('memberships', 'updateOne')]) {
      expect(call.inTransaction).toBe(true);
      expect(call.args[2]).toMatchObject({ upsert: true });
      expect(Object.keys(call.args[1] as object)).toEqual(['$setOnInsert']);
    }
    expect(store.transactions).toEqual(['committed', 'committed']);
    expect(await projects.findForMember(ada, ada)).toMatchObject({
      id: ada,
      role: 'owner',
      memberCount: 1,
      personal: true,
    });
  });

  it('when a user lists their projects page by page, then personal comes first, then names case-insensitively, ties by id, with their role and member count', async () => {
    const ada = addUser('Ada');
    const bob = addUser('Bob');
    await projects.ensurePersonal(ada, at(T0));
    await projects.ensurePersonal(bob, at(T0));
    const names = ['beta', 'Alpha', 'alpha', 'Zeta', 'éclair', 'Beta', 'gamma'];
    const created: ProjectView[] = [];
    for (const name of names) created.push(await projects.create(ada, { name, description: '', color: null }, at(T0)));
    const bobs = await projects.create(bob, { name: 'Bob only', description: '', color: null }, at(T0));
    // Bob joins one of Ada's projects as a viewer.
    store.insert('memberships', {
      _id: new Types.ObjectId(),
      project: new Types.ObjectId(created[0]?.id),
      user: new Types.ObjectId(bob),
      role: 'viewer',
      joinedAt: at(T0),
    });

    const seen: ProjectView[] = [];
    let after: ProjectCursor | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await projects.listForMember(ada, { limit: 3, ...(after ? { after } : {}) });
      seen.push(...result.items);
      if (result.next === null) break;
      expect(result.next).toEqual(projectCursorOf(result.items.at(-1) as ProjectView));
      after = result.next;
    }
    const expectedOrder = [...seen].sort(compareProjects).map((p) => p.id);
    expect(seen.map((p) => p.id)).toEqual(expectedOrder);
    expect(seen[0]).toMatchObject({ id: ada, personal: true, role: 'owner', memberCount: 1 });
    expect(seen).toHaveLength(names.length + 1);
    expect(seen.map((p) => p.id)).not.toContain(bobs.id);
    expect(seen.find((p) => p.id === created[0]?.id)?.memberCount).toBe(2);
    expect((await projects.listForMember(bob, { limit: 10 })).items.map((p) => [p.name, p.role])).toEqual([
      ['Inbox', 'owner'],
      ['beta', 'viewer'],
      ['Bob only', 'owner'],
    ]);

    // The user's memberships come from the covering `{ user, project, role }` index, then one find of projects.
    const membershipRead = store.calls('memberships', 'find')[0] as SentCall;
    expect(options(membershipRead)).toMatchObject({
      hint: { user: 1, project: 1, role: 1 },
      projection: { project: 1, role: 1, _id: 0 },
    });
    const projectRead = store.calls('projects', 'find')[0] as SentCall;
    expect(options(projectRead)).toMatchObject({ sort: { personal: -1, nameKey: 1, _id: 1 }, limit: 4 });
    expect(Object.keys(filterOf(projectRead))).toEqual(['_id']);
  });

  it('when a project is read or listed, then its open tasks (not done) are counted in one aggregation over `{ project, status }`', async () => {
    const ada = addUser('Ada');
    const busy = await projects.create(ada, { name: 'Busy', description: '', color: null }, at(T0));
    const idle = await projects.create(ada, { name: 'Idle', description: '', color: null }, at(T0));
    expect(busy).toMatchObject({ memberCount: 1, openTaskCount: 0 });
    for (const status of ['todo', 'in_progress', 'done', 'todo'] as const) {
      await tasks.create(busy.id, ada, task({ status }), at(T0));
    }
    await tasks.create(idle.id, ada, task({ status: 'done' }), at(T0));
    store.sent.length = 0;
    expect(await projects.findForMember(ada, busy.id)).toMatchObject({ openTaskCount: 3, memberCount: 1 });
    const listed = await projects.listForMember(ada, { limit: 10 });
    expect(listed.items.map((p) => [p.name, p.openTaskCount])).toEqual([
      ['Busy', 3],
      ['Idle', 0],
    ]);
    const counts = store.calls('tasks', 'aggregate').map((call) => plain(call.args[0]));
    expect(counts.at(-1)).toEqual([
      { $match: { project: { $in: [busy.id, idle.id] }, status: { $in: ['todo', 'in_progress'] } } },
      { $group: { _id: '$project', n: { $sum: 1 } } },
    ]);
  });

  it('when the role of a user is asked, then one read of the covering index answers; a non-member or malformed id gets null', async () => {
    const ada = addUser('Ada');
    const project = await projects.create(ada, { name: 'P', description: '', color: null }, at(T0));
    expect(await projects.roleOf(ada, project.id)).toBe('owner');
    expect(await projects.roleOf(id(), project.id)).toBeNull();
    expect(await projects.roleOf('nope', project.id)).toBeNull();
    const [read] = store.calls('memberships', 'findOne');
    expect(filterOf(read as SentCall)).toEqual({ user: ada, project: project.id });
    expect(options(read as SentCall)).toMatchObject({
      hint: { user: 1, project: 1, role: 1 },
      projection: { role: 1, _id: 0 },
    });
    expect(await projects.membershipsOf(ada)).toEqual([{ projectId: project.id, role: 'owner' }]);
    expect(await projects.memberIds(project.id)).toEqual([ada]);
  });

  it('when members are listed, then owners come first, then names case-insensitively, with their public fields from one users read', async () => {
    const [ada, bob, cid, dan] = [addUser('ada'), addUser('Bob'), addUser('Cid'), addUser('Dan')];
    const project = await projects.create(dan, { name: 'P', description: '', color: null }, at(T0));
    for (const [user, role] of [
      [cid, 'editor'],
      [ada, 'viewer'],
      [bob, 'owner'],
    ] as const) {
      store.insert('memberships', {
        _id: new Types.ObjectId(),
        project: new Types.ObjectId(project.id),
        user: new Types.ObjectId(user),
        role,
        joinedAt: at(T0 + 1),
      });
    }
    const members = await projects.members(project.id);
    expect(members.map((m) => [m.user.name, m.role])).toEqual([
      ['Bob', 'owner'],
      ['Dan', 'owner'],
      ['ada', 'viewer'],
      ['Cid', 'editor'],
    ]);
    expect(members[0]?.user).toEqual({ id: bob, email: 'bob@example.test', name: 'Bob' });
    expect(store.calls('users', 'find')).toHaveLength(1);
  });

  it('when the last owner would be demoted or removed, then last_owner is answered inside the transaction, which is aborted: nothing changes', async () => {
    const [ada, bob] = [addUser('Ada'), addUser('Bob')];
    const project = await projects.create(ada, { name: 'P', description: '', color: null }, at(T0));
    const before = structuredClone(store.data);
    store.sent.length = 0;
    expect(await projects.setRole(project.id, ada, 'editor', { now: at(T0 + 1), actorId: project.id })).toEqual({
      kind: 'last_owner',
    });
    expect(await projects.removeMember(project.id, ada, { now: at(T0 + 1), actorId: project.id })).toEqual({
      kind: 'last_owner',
    });
    expect(store.transactions.slice(-2)).toEqual(['aborted', 'aborted']);
    expect(store.data).toEqual(before);
    // Each decided after writing the project (the lock), counting owners in the same transaction.
    for (const [i, call] of store.sent.entries())
      expect(call.inTransaction, `${call.collection}.${call.method} #${i}`).toBe(true);
    const methods = store.sent.map((call) => `${call.collection}.${call.method}`);
    expect(methods).toEqual([
      'projects.findOneAndUpdate',
      'memberships.findOne',
      'memberships.countDocuments',
      'projects.findOneAndUpdate',
      'memberships.findOne',
      'memberships.countDocuments',
    ]);
    expect(store.sent[0]?.args[1]).toEqual({ $inc: { membersVersion: 1 } });
    expect(filterOf(store.sent[2] as SentCall)).toEqual({ project: project.id, role: 'owner' });
    expect(await projects.setRole(project.id, bob, 'editor', { now: at(T0), actorId: project.id })).toEqual({
      kind: 'not_found',
    });
    expect(await projects.setRole(id(), ada, 'editor', { now: at(T0), actorId: id() })).toEqual({ kind: 'not_found' });
  });

  it('when a second owner exists, then an owner can be demoted and removed; removing unassigns their tasks of that project only', async () => {
    const [ada, bob] = [addUser('Ada'), addUser('Bob')];
    const project = await projects.create(ada, { name: 'P', description: '', color: null }, at(T0));
    const other = await projects.create(ada, { name: 'Q', description: '', color: null }, at(T0));
    store.insert('memberships', {
      _id: new Types.ObjectId(),
      project: new Types.ObjectId(project.id),
      user: new Types.ObjectId(bob),
      role: 'editor',
      joinedAt: at(T0),
    });
    expect(await projects.setRole(project.id, bob, 'owner', { now: at(T0 + 1), actorId: project.id })).toEqual({
      kind: 'ok',
    });
    expect(await projects.setRole(project.id, ada, 'viewer', { now: at(T0 + 2), actorId: project.id })).toEqual({
      kind: 'ok',
    });
    expect(await projects.roleOf(ada, project.id)).toBe('viewer');
    expect(store.data.projects?.find((p) => p._id === project.id)?.membersVersion).toBe(2);

    const bobsHere = await tasks.create(project.id, ada, task({ assigneeId: bob }), at(T0));
    const adasHere = await tasks.create(project.id, ada, task({ assigneeId: ada }), at(T0));
    const bobsThere = await tasks.create(other.id, ada, task({ assigneeId: bob }), at(T0));
    store.sent.length = 0;
    expect(await projects.removeMember(project.id, bob, { now: at(T0 + 9), actorId: project.id })).toEqual({
      kind: 'last_owner',
    });
    await projects.setRole(project.id, ada, 'owner', { now: at(T0 + 3), actorId: project.id });
    store.sent.length = 0;
    expect(await projects.removeMember(project.id, bob, { now: at(T0 + 9), actorId: project.id })).toEqual({
      kind: 'ok',
    });
    expect(await projects.roleOf(bob, project.id)).toBeNull();
    expect(await tasks.findById(bobsHere.id)).toMatchObject({ assigneeId: null, version: 2, updatedAt: at(T0 + 9) });
    expect(await tasks.findById(adasHere.id)).toMatchObject({ assigneeId: ada, version: 1 });
    expect(await tasks.findById(bobsThere.id)).toMatchObject({ assigneeId: bob, version: 1 });
    const [unassign] = store.calls('tasks', 'updateMany');
    expect(unassign?.inTransaction).toBe(true);
    expect(filterOf(unassign as SentCall)).toEqual({
      project: project.id,
      assignee: { $eq: bob, $gte: MIN_OBJECT_ID },
    });
    expect(plain(unassign?.args[1])).toEqual({ $set: { assignee: null, updatedAt: at(T0 + 9) }, $inc: { version: 1 } });
  });

  it('when a project is deleted, then it, its tasks, memberships and invitations go in one transaction; a stale version changes nothing', async () => {
    const ada = addUser('Ada');
    const keep = await projects.create(ada, { name: 'Keep', description: '', color: null }, at(T0));
    const gone = await projects.create(ada, { name: 'Gone', description: '', color: null }, at(T0));
    await tasks.create(gone.id, ada, task(), at(T0));
    const kept = await tasks.create(keep.id, ada, task(), at(T0));
    await invitations.create({
      projectId: gone.id,
      email: 'x@example.test',
      role: 'viewer',
      invitedBy: ada,
      tokenHash: 'hash-1',
      createdAt: at(T0),
      expiresAt: at(T0 + 1000),
    });
    const renamed = await projects.update(
      gone.id,
      { name: 'Gone!' },
      { actorId: gone.id, expectedVersion: 1, now: at(T0 + 1) },
    );
    expect(renamed).toMatchObject({ kind: 'ok', project: { name: 'Gone!', version: 2 } });
    expect(store.data.projects?.find((p) => p._id === gone.id)?.nameKey).toBe('gone!');

    expect(await projects.delete(gone.id, { now: new Date(), actorId: gone.id, expectedVersion: 1 })).toMatchObject({
      kind: 'version_mismatch',
      current: { id: gone.id, version: 2 },
    });
    expect(store.transactions.at(-1)).toBe('aborted');
    store.sent.length = 0;
    expect(await projects.delete(gone.id, { now: new Date(), actorId: gone.id, expectedVersion: 2 })).toEqual({
      kind: 'ok',
    });
    expect(store.sent.map((call) => `${call.collection}.${call.method}:${String(call.inTransaction)}`)).toEqual([
      'projects.findOne:true',
      'memberships.find:true',
      'projects.deleteOne:true',
      'tasks.deleteMany:true',
      'memberships.deleteMany:true',
      'invitations.deleteMany:true',
      'counters.findOneAndUpdate:true',
      'changes.insertOne:true',
    ]);
    // The deletion's change is addressed to the members it had, who are members no more.
    expect(store.data.changes?.at(-1)).toMatchObject({ type: 'project.deleted', project: gone.id, version: 3 });
    expect(store.data.changes?.at(-1)?.recipients).toHaveLength(1);
    expect(store.data.projects?.map((p) => p._id)).toEqual([keep.id]);
    expect(store.data.tasks?.map((t) => t._id)).toEqual([kept.id]);
    expect(store.data.memberships?.map((m) => m.project)).toEqual([keep.id]);
    expect(store.data.invitations).toEqual([]);
    expect(await projects.delete(gone.id, { now: new Date(), actorId: gone.id })).toEqual({ kind: 'not_found' });
  });
});

describe('invitations', () => {
  const invite = (
    projectId: string,
    invitedBy: string,
    overrides: Partial<Parameters<InvitationRepository['create']>[0]> = {},
  ) =>
    invitations.create({
      projectId,
      email: 'Zoe@Example.test',
      role: 'editor',
      invitedBy,
      tokenHash: `hash-${seq++}`,
      createdAt: at(T0),
      expiresAt: at(T0 + 7 * 86_400_000),
      ...overrides,
    });

  it('when the same email is invited again, then the pending invitation is replaced in one transaction and only the new token is pending', async () => {
    const ada = addUser('Ada');
    const project = await projects.create(ada, { name: 'P', description: '', color: null }, at(T0));
    const first = await invite(project.id, ada, { tokenHash: 'old' });
    expect(first).toMatchObject({
      email: 'zoe@example.test',
      invitedBy: { id: ada, name: 'Ada' },
      projectId: project.id,
    });
    store.sent.length = 0;
    const second = await invite(project.id, ada, { tokenHash: 'new', createdAt: at(T0 + 1) });
    expect(
      store.sent.slice(0, 2).map((call) => `${call.collection}.${call.method}:${String(call.inTransaction)}`),
    ).toEqual(['invitations.updateMany:true', 'invitations.insertOne:true']);
    expect(filterOf(store.sent[0] as SentCall)).toEqual({
      project: project.id,
      email: 'zoe@example.test',
      pending: true,
    });
    expect(plain(store.sent[0]?.args[1])).toEqual({ $set: { revokedAt: at(T0 + 1) }, $unset: { pending: 1 } });
    expect((await invitations.listPending(project.id, at(T0 + 2))).map((i) => i.id)).toEqual([second.id]);
    const zoe = { id: addUser('Zoe', 'zoe@example.test'), email: 'zoe@example.test' };
    expect(await invitations.accept('old', zoe, at(T0 + 3))).toEqual({ kind: 'not_found' });
    expect(await invitations.accept('new', zoe, at(T0 + 3))).toEqual({
      kind: 'ok',
      projectId: project.id,
      role: 'editor',
    });
  });

  it('when an invitation is accepted, then only the invited email, before expiry, once, makes a member; a present member keeps their role', async () => {
    const ada = addUser('Ada');
    const zoe = { id: addUser('Zoe', 'zoe@example.test'), email: 'Zoe@example.TEST' };
    const eve = { id: addUser('Eve'), email: 'eve@example.test' };
    const project = await projects.create(ada, { name: 'P', description: '', color: null }, at(T0));
    await invite(project.id, ada, { tokenHash: 'tok' });

    store.sent.length = 0;
    expect(await invitations.accept('tok', eve, at(T0 + 1))).toEqual({ kind: 'not_found' });
    expect(store.transactions.at(-1)).toBe('aborted');
    expect(filterOf(store.sent[0] as SentCall)).toEqual({
      tokenHash: 'tok',
      pending: true,
      expiresAt: { $gt: at(T0 + 1) },
      email: 'eve@example.test',
    });
    expect(await invitations.listPending(project.id, at(T0 + 1))).toHaveLength(1);
    expect(await invitations.accept('tok', zoe, at(T0 + 8 * 86_400_000))).toEqual({ kind: 'not_found' });

    store.sent.length = 0;
    expect(await invitations.accept('tok', zoe, at(T0 + 2))).toEqual({
      kind: 'ok',
      projectId: project.id,
      role: 'editor',
    });
    expect(store.sent.map((call) => `${call.collection}.${call.method}`)).toEqual([
      'invitations.findOneAndUpdate',
      'memberships.findOne',
      'projects.findOneAndUpdate',
      'memberships.insertOne',
      'counters.findOneAndUpdate',
      'changes.insertOne',
    ]);
    expect(store.data.changes?.at(-1)).toMatchObject({
      type: 'member.added',
      project: project.id,
      entity: zoe.id,
      actor: zoe.id,
      fields: [{ field: 'role', from: null, to: 'editor' }],
    });
    expect(store.sent.every((call) => call.inTransaction)).toBe(true);
    expect(await projects.roleOf(zoe.id, project.id)).toBe('editor');
    expect(await invitations.accept('tok', zoe, at(T0 + 3))).toEqual({ kind: 'not_found' });
    expect(await invitations.listPending(project.id, at(T0 + 3))).toEqual([]);

    // Ada (an owner) accepting an invitation to her own project stays owner; the invitation is spent.
    await invite(project.id, ada, { tokenHash: 'own', email: 'ada@example.test', role: 'viewer' });
    expect(await invitations.accept('own', { id: ada, email: 'ada@example.test' }, at(T0 + 4))).toEqual({
      kind: 'ok',
      projectId: project.id,
      role: 'owner',
    });
    expect(await invitations.accept('own', { id: ada, email: 'ada@example.test' }, at(T0 + 5))).toEqual({
      kind: 'not_found',
    });
  });

  it('when pending invitations are listed or revoked, then accepted, revoked and expired ones are left out, newest first', async () => {
    const ada = addUser('Ada');
    const project = await projects.create(ada, { name: 'P', description: '', color: null }, at(T0));
    const older = await invite(project.id, ada, { email: 'a@example.test', createdAt: at(T0) });
    const newer = await invite(project.id, ada, { email: 'b@example.test', createdAt: at(T0 + 10) });
    await invite(project.id, ada, { email: 'c@example.test', expiresAt: at(T0 + 5) });
    expect((await invitations.listPending(project.id, at(T0 + 20))).map((i) => i.id)).toEqual([newer.id, older.id]);
    expect(await invitations.revoke(id(), older.id, at(T0 + 21))).toBe(false);
    expect(await invitations.revoke(project.id, older.id, at(T0 + 21))).toBe(true);
    expect(await invitations.revoke(project.id, older.id, at(T0 + 22))).toBe(false);
    expect((await invitations.listPending(project.id, at(T0 + 23))).map((i) => i.id)).toEqual([newer.id]);
    expect(await invitations.listPending('nope', at(T0))).toEqual([]);
  });
});
