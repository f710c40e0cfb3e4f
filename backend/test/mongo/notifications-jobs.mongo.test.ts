import { Types } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRepository } from '../../src/jobs/jobs.repository.js';
import type { NewNotification } from '../../src/notifications/notification.model.js';
import type { NotificationRepository } from '../../src/notifications/notifications.repository.js';
import { createMongoJobRepository } from '../../src/storage/mongo/mongo-jobs.repository.js';
import { createMongoNotificationRepository } from '../../src/storage/mongo/mongo-notifications.repository.js';
import { createMongoTaskRepository, newTaskDoc, toTaskRecord } from '../../src/storage/mongo/mongo-tasks.repository.js';
import type { NewTask, TaskRecord, TaskRepository } from '../../src/tasks/tasks.repository.js';
import { plain } from './mingo-helpers.js';
import { recordingStore, type RecordingStore } from './recording-store.js';

// Notifications and background work over models whose driver collections record what mongoose
// sends and answer from documents in memory (see recording-store.ts).

const T0 = Date.UTC(2026, 2, 15, 10);
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms);
let seq = 0;
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
const docs = (collection: string) => store.data[collection] ?? [];
let notifications: NotificationRepository;
let jobs: JobRepository;
let tasks: TaskRepository;

beforeEach(() => {
  store = recordingStore();
  notifications = createMongoNotificationRepository(store.models, store.run);
  jobs = createMongoJobRepository(store.models, store.run);
  tasks = createMongoTaskRepository(store.models, store.run, store.transact);
});
afterEach(async () => {
  await store.close();
});

describe('notifications', () => {
  const USER = id();
  const notification = (key: string, createdAt: number, userId = USER): NewNotification => ({
    userId,
    type: 'reminder',
    key,
    actorId: null,
    task: { id: id(), title: 'Plan', projectId: userId },
    project: null,
    createdAt: at(createdAt),
    mail: 'pending',
  });

  it('when an event is added again, then the unique key refuses the copy and the first is answered', async () => {
    const [first] = await notifications.add([notification('reminder:a', T0)]);
    const again = await notifications.add([notification('reminder:a', T0 + 1000), notification('reminder:b', T0)]);
    expect(again.map((entry) => entry.created)).toEqual([false, true]);
    expect(again[0]?.notification).toEqual(first?.notification);
    expect(docs('notifications')).toHaveLength(2);
    const inserts = store.calls('notifications', 'insertOne');
    expect(inserts).toHaveLength(3);
    // The id carries the creation time, so that newest first is the _id order.
    expect(new Types.ObjectId(first?.notification.id).getTimestamp()).toEqual(at(T0));
  });

  it("when a user's notifications are paged and marked read, then each query is the user's and uses their index", async () => {
    const other = id();
    for (let i = 0; i < 4; i += 1) await notifications.add([notification(`k${i}`, T0 + i * 1000)]);
    const [foreign] = await notifications.add([notification('foreign', T0, other)]);
    const first = await notifications.list(USER, { unread: true, limit: 2 });
    expect(first.items.map((item) => item.key)).toEqual(['k3', 'k2']);
    const rest = await notifications.list(USER, { unread: true, limit: 5, after: first.next ?? '' });
    expect(rest).toMatchObject({ next: null });
    expect(rest.items.map((item) => item.key)).toEqual(['k1', 'k0']);
    const [listCall] = store.calls('notifications', 'find');
    expect(plain(listCall?.args[0])).toEqual({ user: USER, readAt: null });
    expect(listCall?.cursor.sort ?? (listCall?.args[1] as { sort?: unknown } | undefined)?.sort).toEqual({ _id: -1 });

    await notifications.markRead(
      USER,
      { ids: [first.items[0]?.id ?? '', foreign?.notification.id ?? '', 'nope'] },
      at(T0 + 9),
    );
    expect(await notifications.unreadCount(USER)).toBe(3);
    expect(await notifications.unreadCount(other)).toBe(1);
    await notifications.markRead(USER, { all: true }, at(T0 + 10));
    expect(await notifications.unreadCount(USER)).toBe(0);
    const [readOne] = (await notifications.list(USER, { unread: false, limit: 1 })).items;
    expect(readOne?.readAt).toEqual(at(T0 + 9));
    expect(readOne?.task?.title).toBe('Plan');
    for (const call of store.calls('notifications', 'updateMany')) {
      expect(plain(call.args[0])).toMatchObject({ user: USER, readAt: null });
    }
  });

  it('when mail is settled, then the pending list drops it and a later outcome changes nothing', async () => {
    const [added] = await notifications.add([notification('m', T0)]);
    const mailId = added?.notification.id ?? '';
    expect((await notifications.pendingMail(10)).map((item) => item.id)).toEqual([mailId]);
    await notifications.setMail(mailId, 'failed');
    await notifications.setMail(mailId, 'sent');
    expect(await notifications.pendingMail(10)).toEqual([]);
    expect((await notifications.list(USER, { unread: false, limit: 1 })).items[0]?.mail).toBe('failed');
  });
});

describe('background work', () => {
  const PROJECT = id();
  const USER = id();

  function addTask(overrides: Partial<NewTask>, reminderDue: Date | null): TaskRecord {
    const doc = {
      ...newTaskDoc({ projectId: PROJECT, createdBy: USER, position: 'a0' }, task(overrides), at(T0)),
      reminderDue,
    };
    store.insert('tasks', doc);
    return toTaskRecord(doc);
  }

  it('when reminders are read, then the reminderDue index is walked from the position given, soonest first', async () => {
    const late = addTask({ title: 'late', remindAt: at(T0 + 3 * HOUR) }, at(T0 + 3 * HOUR));
    addTask({ title: 'soon', remindAt: at(T0 + HOUR) }, at(T0 + HOUR));
    addTask({ title: 'delivered', remindAt: at(T0 + HOUR) }, null);
    addTask({ title: 'none' }, null);
    const due = await jobs.pendingReminders(at(T0 + 4 * HOUR), 10);
    expect(due.map((entry) => [entry.task.title, entry.due])).toEqual([
      ['soon', at(T0 + HOUR)],
      ['late', at(T0 + 3 * HOUR)],
    ]);
    const [call] = store.calls('tasks', 'find');
    expect(call?.cursor.hint ?? (call?.args[1] as { hint?: unknown } | undefined)?.hint).toEqual({
      reminderDue: 1,
      _id: 1,
    });
    const after = await jobs.pendingReminders(at(T0 + 4 * HOUR), 10, {
      due: at(T0 + HOUR),
      taskId: due[0]?.task.id ?? '',
    });
    expect(after.map((entry) => entry.task.title)).toEqual(['late']);

    expect(await jobs.settleReminder(late.id, at(T0))).toBe(false);
    expect(await jobs.settleReminder(late.id, at(T0 + 3 * HOUR))).toBe(true);
    expect(await jobs.settleReminder(late.id, at(T0 + 3 * HOUR))).toBe(false);
    expect(await jobs.settleReminder('nope', at(T0))).toBe(false);
  });

  it("when some tasks' reminders are read, then they are looked up by _id and only pending ones before the instant come back", async () => {
    const soon = addTask({ title: 'soon', remindAt: at(T0 + HOUR) }, at(T0 + HOUR));
    const late = addTask({ title: 'late', remindAt: at(T0 + 3 * HOUR) }, at(T0 + 3 * HOUR));
    const delivered = addTask({ title: 'delivered', remindAt: at(T0 + HOUR) }, null);
    addTask({ title: 'other', remindAt: at(T0 + HOUR) }, at(T0 + HOUR));
    const found = await jobs.remindersOf([soon.id, late.id, delivered.id, 'not-an-id'], at(T0 + 2 * HOUR));
    expect(found.map((entry) => [entry.task.title, entry.due])).toEqual([['soon', at(T0 + HOUR)]]);
    const [call] = store.calls('tasks', 'find');
    expect(plain(call?.args[0])).toEqual({
      _id: { $in: [soon.id, late.id, delivered.id] },
      reminderDue: { $lt: at(T0 + 2 * HOUR) },
    });
    expect(await jobs.remindersOf(['not-an-id'], at(T0 + 2 * HOUR))).toEqual([]);
    expect(store.calls('tasks', 'find')).toHaveLength(1);
  });

  it('when a cursor is saved, then the first save inserts it and later saves only move it forward', async () => {
    expect(await jobs.cursor('notifier')).toBeNull();
    await jobs.saveCursor('notifier', 5);
    await jobs.saveCursor('notifier', 3);
    expect(await jobs.cursor('notifier')).toBe(5);
    await jobs.saveCursor('notifier', 8);
    expect(await jobs.cursor('notifier')).toBe(8);
    expect(docs('jobCursors')).toEqual([{ _id: 'notifier', seq: 8 }]);
  });

  it('when the next occurrence is created twice, then the second finds the first and records nothing', async () => {
    const previous = addTask({ title: 'Weekly', recurrence: { rule: 'FREQ=WEEKLY', from: 'due' } }, null);
    const input = task({ title: 'Weekly', dueDate: at(T0 + 7 * 24 * HOUR) });
    const next = await tasks.createNext(previous, input, USER, at(T0));
    expect(next).toMatchObject({ title: 'Weekly', projectId: PROJECT, createdBy: USER });
    expect(await tasks.createNext(previous, input, USER, at(T0))).toBeNull();
    expect(docs('tasks').filter((doc) => doc.previous !== undefined)).toHaveLength(1);
    expect(docs('changes').filter((doc) => doc.type === 'task.created')).toHaveLength(1);
    expect(store.transactions).toEqual(['committed', 'aborted']);
  });

  it('when another worker creates it between the check and the insert, then the unique index refuses the second', async () => {
    const previous = addTask({ title: 'Daily', recurrence: { rule: 'FREQ=DAILY', from: 'due' } }, null);
    const input = task({ title: 'Daily', dueDate: at(T0 + 24 * HOUR) });
    const other = createMongoTaskRepository(store.models, store.run, store.transact);
    let theirs: TaskRecord | null = null;
    store.beforeNext('tasks', 'insertOne', async () => {
      theirs = await other.createNext(previous, input, USER, at(T0));
    });
    expect(await tasks.createNext(previous, input, USER, at(T0))).toBeNull();
    expect(theirs).toMatchObject({ title: 'Daily' });
    // Theirs committed inside ours, whose insert then met previous_unique (the store cannot keep a
    // commit made inside another transaction's snapshot, so the outcome is read from the transactions).
    expect(store.transactions).toEqual(['committed', 'threw']);
  });
});
