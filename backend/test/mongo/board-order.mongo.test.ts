import { Types } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JITTER_LENGTH } from '../../src/tasks/board-order.js';
import { assignBoardPositions, UNPLACED_TASK } from '../../src/storage/mongo/mongo-migrations.js';
import { createMongoTaskRepository, newTaskDoc } from '../../src/storage/mongo/mongo-tasks.repository.js';
import { BOARD_INDEX } from '../../src/storage/mongo/task-query.mongo.js';
import type { TaskStatus } from '../../src/tasks/task.model.js';
import type { NewTask, TaskRecord, TaskRepository } from '../../src/tasks/tasks.repository.js';
import { plain } from './mingo-helpers.js';
import { recordingStore, type RecordingStore, type SentCall } from './recording-store.js';

// Board order over the recording store (see recording-store.ts): what a create, a move, an update that
// changes column, a rebalance and the migration step send, evaluated by mingo. The real-server run of
// the same behaviour is the repository contract (mongo.contract.test.ts, in GitHub Actions).

const T0 = Date.UTC(2026, 2, 15, 10);
const at = (ms: number) => new Date(ms);
let seq = 0;
const hex = () => `65f0a0b0${(seq++).toString(16).padStart(16, '0')}`;
const PROJECT = hex();
const USER = hex();

const input = (overrides: Partial<NewTask> = {}): NewTask => ({
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
beforeEach(() => {
  store = recordingStore();
  tasks = createMongoTaskRepository(store.models, store.run, store.transact);
});
afterEach(async () => {
  await store.close();
});

async function column(titles: readonly string[], status: TaskStatus = 'todo'): Promise<TaskRecord[]> {
  const created: TaskRecord[] = [];
  for (const [i, title] of titles.entries()) {
    created.push(await tasks.create(PROJECT, USER, input({ title, status }), at(T0 + i)));
  }
  return created;
}

const board = async () =>
  (await tasks.list([PROJECT], { filter: {}, sort: { field: 'position', direction: 'asc' }, limit: 100 })).items;
const titlesIn = async (status: TaskStatus) =>
  (await board()).filter((task) => task.status === status).map((task) => task.title);
const writes = (calls: readonly SentCall[]) =>
  calls.filter((call) => /^(insert|update|bulkWrite|findOneAndUpdate|delete|replace)/.test(call.method));

describe('board order on MongoDB (recorded)', () => {
  it('when a task is created, then the last key of its column is read through the board index and the new key follows it with a random suffix', async () => {
    const [a, b] = await column(['a', 'b']);
    const [read] = store.calls('tasks', 'findOne');
    expect(read?.args[1]).toMatchObject({ hint: BOARD_INDEX, sort: { boardKey: -1, _id: -1 } });
    expect(plain(read?.args[0])).toEqual({ project: PROJECT, boardKey: { $gte: '0', $lt: '1' } });
    expect(a?.position.length).toBe(2 + JITTER_LENGTH);
    expect((a?.position ?? '') < (b?.position ?? '')).toBe(true);
    expect(store.data.tasks?.map((doc) => doc.boardKey)).toEqual([`0${a?.position}`, `0${b?.position}`]);
  });

  it('when a task is moved, then the neighbours are read by id and through the board index, and one guarded write changes only it', async () => {
    const [a, b, c] = await column(['a', 'b', 'c']);
    if (a === undefined || b === undefined || c === undefined) throw new Error('no fixture');
    const before = store.sent.length;
    const outcome = await tasks.move(
      PROJECT,
      c.id,
      { status: 'todo', afterId: a.id },
      { actorId: PROJECT, now: at(T0 + 60_000) },
    );
    expect(outcome).toMatchObject({ kind: 'ok', task: { id: c.id, version: 2 } });
    const sent = store.sent.slice(before);
    const written = writes(sent).filter((call) => call.collection === 'tasks');
    expect(written.map((call) => call.method)).toEqual(['findOneAndUpdate']);
    // With its change, in the same transaction.
    expect(writes(sent).map((call) => `${call.collection}.${call.method}:${String(call.inTransaction)}`)).toEqual([
      'tasks.findOneAndUpdate:true',
      'counters.findOneAndUpdate:true',
      'changes.insertOne:true',
    ]);
    expect(store.data.changes?.at(-1)).toMatchObject({ type: 'task.updated', version: 2, entity: c.id });
    expect(plain(written[0]?.args[0])).toEqual({ _id: c.id, project: PROJECT, version: 1 });
    const [stage] = written[0]?.args[1] as [{ $set: Record<string, unknown> }];
    expect(Object.keys(stage.$set).sort()).toEqual(['boardKey', 'updatedAt', 'version']);
    // The successor of `a` (leaving out c itself) bounds the new key from above.
    const step = sent.find((call) => call.method === 'findOne' && JSON.stringify(plain(call.args[0])).includes('$or'));
    expect(step?.args[1]).toMatchObject({ hint: BOARD_INDEX, sort: { boardKey: 1, _id: 1 } });
    expect(await titlesIn('todo')).toEqual(['a', 'c', 'b']);
  });

  it('when a move changes column with a version, then status and completedAt follow in the same write, and a stale version writes nothing', async () => {
    const [a] = await column(['a']);
    const [d] = await column(['d'], 'done');
    if (a === undefined || d === undefined) throw new Error('no fixture');
    expect(
      await tasks.move(
        PROJECT,
        a.id,
        { status: 'done', beforeId: d.id },
        { actorId: PROJECT, expectedVersion: 4, now: at(T0) },
      ),
    ).toEqual({ kind: 'version_mismatch', current: a });
    const moved = await tasks.move(
      PROJECT,
      a.id,
      { status: 'done', beforeId: d.id },
      { actorId: PROJECT, expectedVersion: 1, now: at(T0 + 5) },
    );
    expect(moved).toMatchObject({ kind: 'ok', task: { status: 'done', completedAt: at(T0 + 5), version: 2 } });
    expect(plain(store.calls('tasks', 'findOneAndUpdate').at(-1)?.args[0])).toEqual({
      _id: a.id,
      project: PROJECT,
      version: 1,
    });
    expect(await titlesIn('done')).toEqual(['a', 'd']);
  });

  it('when moves of one column run at once, then every task keeps one distinct key and the column stays in strict order', async () => {
    const cards = await column(Array.from({ length: 10 }, (_, i) => `c${i}`));
    const [anchor] = cards;
    if (anchor === undefined) throw new Error('no fixture');
    // The calls interleave at every await, so the moves read the same neighbours before any writes.
    const outcomes = await Promise.all(
      cards
        .slice(1)
        .map((card) =>
          tasks.move(PROJECT, card.id, { status: 'todo', afterId: anchor.id }, { actorId: PROJECT, now: at(T0) }),
        ),
    );
    expect(outcomes.every((outcome) => outcome.kind === 'ok')).toBe(true);
    const keys = store.data.tasks?.map((doc) => doc.boardKey as string) ?? [];
    expect(new Set(keys).size).toBe(cards.length);
    const listed = await board();
    expect(listed.map((task) => task.id).sort()).toEqual(cards.map((task) => task.id).sort());
    expect(listed[0]?.id).toBe(anchor.id);
  });

  it('when a move goes between two tasks with equal keys, then the column is re-keyed in a transaction first and the task lands between them', async () => {
    for (const [title, id] of [
      ['x', hex()],
      ['y', hex()],
    ] as const) {
      store.insert('tasks', {
        ...newTaskDoc({ projectId: PROJECT, createdBy: USER, position: 'a0' }, input({ title }), at(T0)),
        _id: new Types.ObjectId(id),
      });
    }
    const [z] = await column(['z']);
    const [x, y] = (await board()).slice(0, 2);
    if (x === undefined || y === undefined || z === undefined) throw new Error('no fixture');
    expect(x.position).toBe(y.position);
    store.transactions.length = 0;
    const outcome = await tasks.move(
      PROJECT,
      z.id,
      { status: 'todo', afterId: x.id, beforeId: y.id },
      { actorId: PROJECT, now: at(T0) },
    );
    expect(outcome.kind).toBe('ok');
    // The re-keying, then the move with its change.
    expect(store.transactions).toEqual(['committed', 'committed']);
    expect(store.calls('tasks', 'bulkWrite').every((call) => call.inTransaction)).toBe(true);
    const listed = await board();
    expect(listed.map((task) => task.title)).toEqual(['x', 'z', 'y']);
    expect(new Set(listed.map((task) => task.position)).size).toBe(3);
  });

  it('when a rebalance of the column commits between a move reading its neighbours and writing, then the move is placed again among the new keys', async () => {
    const [a, b, c, d] = await column(['a', 'b', 'c', 'd']);
    if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('no fixture');
    // Another instance's rebalance commits after the move read a and its successor b, before it writes.
    let rewritten = 0;
    store.beforeNext('tasks', 'findOneAndUpdate', async () => {
      rewritten = await tasks.rebalanceColumn(PROJECT, 'todo');
    });
    const outcome = await tasks.move(
      PROJECT,
      d.id,
      { status: 'todo', afterId: a.id },
      { actorId: PROJECT, now: at(T0) },
    );
    expect(rewritten).toBe(4);
    expect(outcome.kind).toBe('ok');
    expect(await titlesIn('todo')).toEqual(['a', 'd', 'b', 'c']);
    // The second placement rewrote only the key, guarded on the version the move wrote.
    expect(plain(store.calls('tasks', 'updateOne').at(-1)?.args[0])).toEqual({ _id: d.id, version: 2 });
    expect((await tasks.findById(d.id))?.version).toBe(2);
  });

  it('when an update changes the status, then the end of the new column is read and the write keeps the key only if the column did not change', async () => {
    const [a, b] = await column(['a', 'b']);
    const [p] = await column(['p'], 'in_progress');
    if (a === undefined || b === undefined || p === undefined) throw new Error('no fixture');
    await tasks.update(PROJECT, a.id, { status: 'in_progress' }, { actorId: PROJECT, now: at(T0) });
    expect(await titlesIn('in_progress')).toEqual(['p', 'a']);
    const [stage] = store.calls('tasks', 'findOneAndUpdate').at(-1)?.args[1] as [{ $set: { boardKey: unknown } }];
    expect(JSON.stringify(plain(stage.$set.boardKey))).toMatch(/^\{"\$cond":\[\{"\$and":\[\{"\$eq":\["\$status"/);
    await tasks.update(PROJECT, b.id, { title: 'b2' }, { actorId: PROJECT, now: at(T0) });
    expect((await tasks.findById(b.id))?.position).toBe(b.position);
  });

  it('when a column is rebalanced, then its keys are rewritten in one transaction, in order, and versions stay', async () => {
    const cards = await column(['a', 'b', 'c']);
    store.transactions.length = 0;
    const rewritten = await tasks.rebalanceColumn(PROJECT, 'todo');
    expect(rewritten).toBe(3);
    expect(store.transactions).toEqual(['committed']);
    const listed = await board();
    expect(listed.map((task) => task.id)).toEqual(cards.map((task) => task.id));
    expect(listed.map((task) => task.position)).toEqual(['a0', 'a1', 'a2']);
    expect(listed.map((task) => task.version)).toEqual([1, 1, 1]);
    expect(await tasks.rebalanceColumn(PROJECT, 'todo')).toBe(0);
  });
});

describe('assignBoardPositions', () => {
  /** A task as the version before board order stored it: no boardKey. */
  function legacyTask(title: string, status: TaskStatus, createdAt: number, project = PROJECT) {
    const { boardKey: _none, ...doc } = newTaskDoc(
      { projectId: project, createdBy: USER, position: 'a0' },
      input({ title, status }),
      at(createdAt),
    );
    store.insert('tasks', doc);
    return doc;
  }

  it('when tasks have no board key, then each column is numbered newest first as the embedded store does, and a second run changes nothing', async () => {
    const other = hex();
    legacyTask('old', 'todo', T0);
    legacyTask('new', 'todo', T0 + 2);
    legacyTask('mid', 'todo', T0 + 1);
    legacyTask('done', 'done', T0);
    legacyTask('elsewhere', 'todo', T0, other);
    expect(await assignBoardPositions(store.models)).toBe(5);
    expect(await titlesIn('todo')).toEqual(['new', 'mid', 'old']);
    expect((await board()).map((task) => task.position)).toEqual(['d0000', 'd0001', 'd0002', 'd0000']);
    const reads = store.calls('tasks', 'find');
    expect(plain(reads[0]?.args[0])).toEqual(UNPLACED_TASK);
    expect(reads.some((call) => JSON.stringify(call.cursor.hint) === JSON.stringify(BOARD_INDEX))).toBe(true);
    const after = structuredClone(store.data);
    expect(await assignBoardPositions(store.models)).toBe(0);
    expect(store.data).toEqual(after);
  });

  it('when tasks without a key join a column that has keys (written during the roll), then they follow its last task', async () => {
    const [placed] = await column(['placed']);
    legacyTask('late', 'todo', T0 + 10);
    expect(await assignBoardPositions(store.models)).toBe(1);
    expect(await titlesIn('todo')).toEqual(['placed', 'late']);
    expect(placed).toBeDefined();
  });
});
