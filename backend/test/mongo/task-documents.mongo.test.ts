import { aggregate } from 'mingo';
import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { TaskDoc } from '../../src/storage/mongo/mongo-models.js';
import { newTaskDoc, taskUpdateStage, toTaskRecord } from '../../src/storage/mongo/mongo-tasks.repository.js';
import { taskStatsPipeline, toTaskStats, type TaskStatsFacets } from '../../src/storage/mongo/task-stats.mongo.js';
import type { NewTask, TaskChanges } from '../../src/tasks/tasks.repository.js';
import { plain, plainObject } from './mingo-helpers.js';

// The update stage and the stats pipeline are aggregation documents; mingo (an in-memory
// implementation of MongoDB's aggregation language) evaluates them here without a server.

const USER = '65f0a0b0c0d0e0f001020304';
const PROJECT = '65f0a0b0c0d0e0f001020310';
const OTHER_PROJECT = '65f0a0b0c0d0e0f001020311';
const STRANGERS_PROJECT = '65f0a0b0c0d0e0f0010203aa';
const HERE = { projectId: PROJECT, createdBy: USER, position: 'a0' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 15, 10);
const at = (ms: number) => new Date(ms);

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

/** Applies the update stage to a stored task as MongoDB would, returning the new document. */
function applyUpdate(doc: TaskDoc, changes: TaskChanges, now: number): TaskDoc {
  const [updated] = aggregate([plainObject(doc)], [taskUpdateStage(changes, at(now))]);
  if (updated === undefined) throw new Error('the update stage dropped the document');
  return revived(updated as unknown as TaskDoc, doc);
}

/** mingo works on plain values (see plain): stored ids come back as hex strings, `$literal` ones as given. */
function revived(updated: TaskDoc, original: TaskDoc): TaskDoc {
  const id = (value: unknown) =>
    value instanceof Types.ObjectId ? value : typeof value === 'string' ? new Types.ObjectId(value) : null;
  return {
    ...updated,
    _id: original._id,
    project: id(updated.project) ?? original.project,
    createdBy: original.createdBy,
    assignee: id(updated.assignee),
  };
}

describe('task update stage', () => {
  it('when status enters, stays in and leaves done, then completedAt is set, kept and cleared', () => {
    let doc = newTaskDoc(HERE, input(), at(T0));
    doc = applyUpdate(doc, { status: 'done' }, T0 + 1000);
    expect(doc.completedAt).toEqual(at(T0 + 1000));
    doc = applyUpdate(doc, { status: 'done', title: 'again' }, T0 + 2000);
    expect(doc.completedAt).toEqual(at(T0 + 1000));
    doc = applyUpdate(doc, { title: 'renamed' }, T0 + 3000);
    expect(doc.completedAt).toEqual(at(T0 + 1000));
    doc = applyUpdate(doc, { status: 'in_progress' }, T0 + 4000);
    expect(doc.completedAt).toBeNull();
    doc = applyUpdate(doc, { status: 'done' }, T0 + 6000);
    expect(toTaskRecord(doc)).toMatchObject({
      status: 'done',
      completedAt: at(T0 + 6000),
      version: 6,
      updatedAt: at(T0 + 6000),
    });
  });

  it('when fields change, then their derived sort and search keys change with them', () => {
    const doc = applyUpdate(
      newTaskDoc(HERE, input({ title: 'Old', dueDate: at(T0) }), at(T0)),
      { title: 'Zebra Crossing', priority: 'urgent', dueDate: null, description: 'Walk' },
      T0 + 1,
    );
    expect(doc).toMatchObject({
      titleKey: 'zebra crossing',
      priorityRank: 3,
      dueDate: null,
      dueAsc: Infinity,
      dueDesc: Infinity,
      version: 2,
    });
    expect(doc.titleWords).toEqual(['zebra', 'crossing']);
    expect(doc.descriptionWords).toEqual(['walk']);
    expect([...doc.searchKeys].sort()).toEqual(['c', 'cr', 'cro', 'w', 'wa', 'wal', 'z', 'ze', 'zeb']);
  });

  it('when only the title or only the description changes, then the search keys are rebuilt with the stored other field', () => {
    const created = newTaskDoc(HERE, input({ title: 'Buy milk', description: 'Ask Zoë' }), at(T0));
    const retitled = applyUpdate(created, { title: 'Sell bread' }, T0 + 1);
    expect(retitled.titleWords).toEqual(['sell', 'bread']);
    expect(retitled.descriptionWords).toEqual(['ask', 'zoe']);
    expect([...retitled.searchKeys].sort()).toEqual([
      'a',
      'as',
      'ask',
      'b',
      'br',
      'bre',
      's',
      'se',
      'sel',
      'z',
      'zo',
      'zoe',
    ]);
    const described = applyUpdate(retitled, { description: '' }, T0 + 2);
    expect([...described.searchKeys].sort()).toEqual(['b', 'br', 'bre', 's', 'se', 'sel']);
  });

  it('when a description has more distinct prefixes than the bound, then the task is indexed under the overflow key alone', () => {
    // 26 × 26 two-letter words give 26 + 676 prefixes, past SEARCH_KEYS_MAX.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const words = [...letters].flatMap((a) => [...letters].map((b) => `${a}${b}`));
    const created = newTaskDoc(HERE, input({ title: 'Long notes', description: words.join(' ') }), at(T0));
    expect(created.searchKeys).toEqual(['*']);
    expect(created.descriptionWords).toHaveLength(676);
    const retitled = applyUpdate(created, { title: 'Short' }, T0 + 1);
    expect(retitled.searchKeys).toEqual(['*']);
  });

  it('when values look like field paths or operators, then they are stored literally', () => {
    const doc = applyUpdate(
      newTaskDoc(HERE, input(), at(T0)),
      { title: '$status', description: '$$ROOT', tags: ['$version', '{ "$gt": 1 }'] },
      T0 + 1,
    );
    expect(toTaskRecord(doc)).toMatchObject({
      title: '$status',
      description: '$$ROOT',
      tags: ['$version', '{ "$gt": 1 }'],
    });
  });
});

describe('task documents in projects', () => {
  const ASSIGNEE = '65f0a0b0c0d0e0f0010203bb';

  it('when a task is created, then it is stored under its project with its creator and assignee as ObjectIds', () => {
    const doc = newTaskDoc(HERE, input({ assigneeId: ASSIGNEE }), at(T0));
    expect(doc.project).toEqual(new Types.ObjectId(PROJECT));
    expect(doc.createdBy).toEqual(new Types.ObjectId(USER));
    expect(doc.assignee).toEqual(new Types.ObjectId(ASSIGNEE));
    expect(doc).not.toHaveProperty('user');
    expect(toTaskRecord(doc)).toMatchObject({ projectId: PROJECT, createdBy: USER, assigneeId: ASSIGNEE });
    expect(newTaskDoc(HERE, input(), at(T0)).assignee).toBeNull();
  });

  it('when a task is moved and (un)assigned, then project and assignee change, its creator stays and the version grows', () => {
    let doc = newTaskDoc(HERE, input(), at(T0));
    expect(taskUpdateStage({ projectId: OTHER_PROJECT, assigneeId: ASSIGNEE }, at(T0 + 1)).$set).toMatchObject({
      project: { $literal: new Types.ObjectId(OTHER_PROJECT) },
      assignee: { $literal: new Types.ObjectId(ASSIGNEE) },
    });
    doc = applyUpdate(doc, { projectId: OTHER_PROJECT, assigneeId: ASSIGNEE }, T0 + 1);
    expect(toTaskRecord(doc)).toMatchObject({
      projectId: OTHER_PROJECT,
      createdBy: USER,
      assigneeId: ASSIGNEE,
      version: 2,
      updatedAt: at(T0 + 1),
    });
    doc = applyUpdate(doc, { assigneeId: null }, T0 + 2);
    expect(toTaskRecord(doc)).toMatchObject({ projectId: OTHER_PROJECT, assigneeId: null, version: 3 });
    // A change that names neither leaves both alone.
    expect(taskUpdateStage({ title: 'x' }, at(T0)).$set).not.toHaveProperty('project');
    expect(taskUpdateStage({ title: 'x' }, at(T0)).$set).not.toHaveProperty('assignee');
  });
});

describe('task stats pipeline', () => {
  it('when stats are read at a fixed instant, then counts, overdue, due today and 14 zero-filled days are exact', () => {
    const docs: TaskDoc[] = [];
    const make = (overrides: Partial<NewTask>, createdAt = T0 - 30 * DAY, projectId = PROJECT) => {
      const doc = newTaskDoc({ projectId, createdBy: USER, position: 'a0' }, input(overrides), at(createdAt));
      docs.push(doc);
      return doc;
    };
    const midnight = Date.UTC(2026, 2, 16);
    make({ dueDate: at(T0 - HOUR), priority: 'high' });
    make({ status: 'in_progress', dueDate: at(T0 - 3 * DAY), priority: 'urgent' });
    make({ status: 'done', dueDate: at(T0 - HOUR) }, T0 - 2 * HOUR);
    make({ dueDate: at(T0), priority: 'low' });
    make({ status: 'in_progress', dueDate: at(midnight - 1) });
    make({ dueDate: at(midnight) });
    make({});
    make({ status: 'done' }, Date.UTC(2026, 2, 15, 0, 0, 0));
    make({ status: 'done', priority: 'low' }, Date.UTC(2026, 2, 2, 0, 0, 0));
    make({ status: 'done' }, Date.UTC(2026, 2, 1, 23, 59, 59, 999));
    make({ status: 'done' }, Date.UTC(2026, 2, 10, 8));
    make({ status: 'done' }, Date.UTC(2026, 2, 10, 20));
    const reopened = make({ status: 'done' }, Date.UTC(2026, 2, 12, 8));
    docs[docs.indexOf(reopened)] = applyUpdate(reopened, { status: 'todo' }, T0 - HOUR);
    make({ status: 'done', dueDate: at(T0 - HOUR) }, T0 - HOUR, STRANGERS_PROJECT);
    make({ dueDate: at(T0 - HOUR) }, T0 - HOUR, STRANGERS_PROJECT);

    const pipeline = plain(taskStatsPipeline({ projectIds: [PROJECT] }, at(T0))) as Record<string, unknown>[];
    const [facets] = aggregate(docs.map(plainObject), pipeline) as unknown as TaskStatsFacets[];
    const completed: Record<string, number> = { '2026-03-02': 1, '2026-03-10': 2, '2026-03-15': 2 };
    const days = Array.from({ length: 14 }, (_, i) => new Date(Date.UTC(2026, 2, 2 + i)).toISOString().slice(0, 10));
    expect(toTaskStats(facets, at(T0))).toEqual({
      total: 13,
      byStatus: { todo: 5, in_progress: 2, done: 6 },
      byPriority: { low: 2, medium: 9, high: 1, urgent: 1 },
      overdue: 2,
      dueToday: 2,
      completedByDay: days.map((date) => ({ date, count: completed[date] ?? 0 })),
    });
  });

  it("when stats cover several projects and an assignee filter, then exactly those projects' tasks (of that assignee, or unassigned) count", () => {
    const ME = '65f0a0b0c0d0e0f0010203c1';
    const YOU = '65f0a0b0c0d0e0f0010203c2';
    const docs: TaskDoc[] = [];
    const projects = [PROJECT, OTHER_PROJECT, STRANGERS_PROJECT];
    for (let i = 0; i < 36; i += 1) {
      const assigneeId = [ME, YOU, null][i % 3] ?? null;
      const overrides: Partial<NewTask> = {
        status: (['todo', 'in_progress', 'done'] as const)[Math.floor(i / 3) % 3],
        priority: (['low', 'medium', 'high', 'urgent'] as const)[i % 4],
        dueDate: i % 5 === 0 ? at(T0 - HOUR) : null,
        assigneeId,
      };
      const projectId = projects[Math.floor(i / 12)] ?? PROJECT;
      docs.push(newTaskDoc({ projectId, createdBy: USER, position: 'a0' }, input(overrides), at(T0 - DAY - i * 1000)));
    }
    const records = docs.map(toTaskRecord);
    const statsOf = (scope: Parameters<typeof taskStatsPipeline>[0]) => {
      const pipeline = plain(taskStatsPipeline(scope, at(T0))) as Record<string, unknown>[];
      const [facets] = aggregate(docs.map(plainObject), pipeline) as unknown as TaskStatsFacets[];
      return toTaskStats(facets, at(T0));
    };
    const mine = [PROJECT, OTHER_PROJECT];
    for (const assignee of [undefined, ME, null] as const) {
      const expected = records.filter(
        (task) => mine.includes(task.projectId) && (assignee === undefined || task.assigneeId === assignee),
      );
      const stats = statsOf(assignee === undefined ? { projectIds: mine } : { projectIds: mine, assignee });
      expect(stats.total, String(assignee)).toBe(expected.length);
      for (const status of ['todo', 'in_progress', 'done'] as const) {
        expect(stats.byStatus[status]).toBe(expected.filter((task) => task.status === status).length);
      }
      expect(stats.overdue).toBe(
        expected.filter((task) => task.status !== 'done' && task.dueDate !== null && task.dueDate < at(T0)).length,
      );
    }
    // The match is the same as a list's, so it can use the same indexes.
    expect(plain(taskStatsPipeline({ projectIds: mine, assignee: ME }, at(T0))[0])).toEqual({
      $match: {
        project: { $in: mine },
        assignee: { $eq: ME, $gte: '000000000000000000000000' },
      },
    });
    expect(plain(taskStatsPipeline({ projectIds: [PROJECT], assignee: null }, at(T0))[0])).toEqual({
      $match: { project: PROJECT, assignee: null },
    });
  });

  it('when the pipeline returns nothing for a user, then every count is zero and the 14 days are listed', () => {
    const stats = toTaskStats(undefined, at(Date.UTC(2026, 0, 5, 23, 59, 59)));
    expect(stats).toMatchObject({ total: 0, overdue: 0, dueToday: 0 });
    expect(stats.completedByDay.map((day) => day.date)).toEqual([
      '2025-12-23',
      '2025-12-24',
      '2025-12-25',
      '2025-12-26',
      '2025-12-27',
      '2025-12-28',
      '2025-12-29',
      '2025-12-30',
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
    ]);
  });
});
