import fc from 'fast-check';
import { find as mingoFind } from 'mingo';
import mongoose, { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { newTaskDoc, toTaskRecord } from '../../src/storage/mongo/mongo-tasks.repository.js';
import {
  ASSIGNED,
  dueKeysOf,
  foldWord,
  op,
  PROJECTS_PER_FIND,
  projectBatches,
  searchFieldsOf,
  sortPlanOf,
  titleKeyOf,
  toMongoFind,
} from '../../src/storage/mongo/task-query.mongo.js';
import { compareTasks, sortKeyOf } from '../../src/tasks/task.model.js';
import type { TaskCursor, TaskFilter, TaskListQuery, TaskRecord, TaskSort } from '../../src/tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_SORT_FIELDS, TASK_STATUSES } from '../../src/tasks/task.model.js';
import { plainObject } from './mingo-helpers.js';

const USER = '65f0a0b0c0d0e0f001020304';
const PROJECT = '65f0a0b0c0d0e0f001020310';
const CURSOR_ID = '65f0a0b0c0d0e0f0010203ff';
const project = new Types.ObjectId(PROJECT);
const cursorId = new Types.ObjectId(CURSOR_ID);
const T0 = Date.UTC(2026, 2, 15, 10);

const query = (overrides: Partial<TaskListQuery> = {}): TaskListQuery => ({
  filter: {},
  sort: { field: 'createdAt', direction: 'desc' },
  limit: 20,
  ...overrides,
});

function mustFind(q: TaskListQuery, projectIds: readonly string[] = [PROJECT]) {
  const result = toMongoFind(projectIds, q);
  if (result === null) throw new Error('expected a find, got null');
  return result;
}

describe('toMongoFind: sorts', () => {
  const cases: [TaskSort, Record<string, 1 | -1>, Record<string, 1 | -1>][] = [
    [
      { field: 'createdAt', direction: 'desc' },
      { createdAt: -1, _id: -1 },
      { project: 1, createdAt: -1, _id: -1 },
    ],
    [
      { field: 'createdAt', direction: 'asc' },
      { createdAt: 1, _id: 1 },
      { project: 1, createdAt: -1, _id: -1 },
    ],
    [
      { field: 'updatedAt', direction: 'desc' },
      { updatedAt: -1, _id: -1 },
      { project: 1, updatedAt: -1, _id: -1 },
    ],
    [
      { field: 'updatedAt', direction: 'asc' },
      { updatedAt: 1, _id: 1 },
      { project: 1, updatedAt: -1, _id: -1 },
    ],
    [
      { field: 'priority', direction: 'desc' },
      { priorityRank: -1, _id: -1 },
      { project: 1, priorityRank: -1, _id: -1 },
    ],
    [
      { field: 'priority', direction: 'asc' },
      { priorityRank: 1, _id: 1 },
      { project: 1, priorityRank: -1, _id: -1 },
    ],
    [
      { field: 'title', direction: 'asc' },
      { titleKey: 1, _id: 1 },
      { project: 1, titleKey: 1, _id: 1 },
    ],
    [
      { field: 'title', direction: 'desc' },
      { titleKey: -1, _id: -1 },
      { project: 1, titleKey: 1, _id: 1 },
    ],
    [
      { field: 'dueDate', direction: 'asc' },
      { dueAsc: 1, _id: 1 },
      { project: 1, dueAsc: 1, _id: 1 },
    ],
    [
      { field: 'dueDate', direction: 'desc' },
      { dueDesc: 1, _id: -1 },
      { project: 1, dueDesc: 1, _id: -1 },
    ],
  ];

  it.each(cases)(
    'when sorting by %o, then the sort is %o on the index %o scoped to the project',
    (sort, expectedSort, expectedHint) => {
      const result = mustFind(query({ sort }));
      expect(result).toEqual({ filter: { project }, sort: expectedSort, limit: 21, hint: expectedHint });
      // Key order matters in a sort document: the key first, then the id tie-break.
      expect(Object.keys(result.sort)).toEqual(Object.keys(expectedSort));
      expect(Object.keys(result.hint ?? {})).toEqual(Object.keys(expectedHint));
    },
  );

  it('when a page size is asked, then one more task is fetched to tell whether another page follows', () => {
    expect(mustFind(query({ limit: 1 })).limit).toBe(2);
    expect(mustFind(query({ limit: 100 })).limit).toBe(101);
  });
});

describe('toMongoFind: filters', () => {
  it('when filtering by statuses and priorities, then each becomes an $in on the stored field', () => {
    const filter: TaskFilter = { status: ['todo', 'done'], priority: ['urgent'] };
    expect(mustFind(query({ filter })).filter).toEqual({
      project,
      status: op({ $in: ['todo', 'done'] }),
      priority: op({ $in: ['urgent'] }),
    });
  });

  it('when filtering by a tag, then the tags array must contain it', () => {
    expect(mustFind(query({ filter: { tag: 'work' } })).filter).toEqual({ project, tags: 'work' });
  });

  it('when filtering by due dates, then the bounds are inclusive and either may be alone', () => {
    const before = new Date(T0);
    const after = new Date(T0 - 86_400_000);
    expect(mustFind(query({ filter: { dueBefore: before } })).filter).toEqual({
      project,
      dueDate: op({ $lte: before }),
    });
    expect(mustFind(query({ filter: { dueAfter: after } })).filter).toEqual({ project, dueDate: op({ $gte: after }) });
    expect(mustFind(query({ filter: { dueBefore: before, dueAfter: after } })).filter).toEqual({
      project,
      dueDate: op({ $gte: after, $lte: before }),
    });
  });

  it('when searching, then each word needs its key in the search index and a word of the task starting with it', () => {
    const result = mustFind(query({ filter: { q: '  Milk, EGGS! milk Zoë ' } }));
    const starts = (word: string) => ({
      $or: [{ titleWords: op({ $regex: `^${word}` }) }, { descriptionWords: op({ $regex: `^${word}` }) }],
    });
    expect(result.filter).toEqual({
      project,
      $and: [
        { searchKeys: op({ $in: ['mil', '*'] }) },
        { searchKeys: op({ $in: ['egg', '*'] }) },
        { searchKeys: op({ $in: ['zoe', '*'] }) },
        starts('milk'),
        starts('eggs'),
        starts('zoe'),
      ],
    });
    expect(result.hint).toEqual({ project: 1, searchKeys: 1 });
    expect(result.sort).toEqual({ createdAt: -1, _id: -1 });
  });

  it('when the search text holds no word, then no find is made (nothing can match)', () => {
    for (const q of ['!!! ???', '"', '*', ' - ']) {
      expect(toMongoFind([PROJECT], query({ filter: { q } }))).toBeNull();
    }
    // Query syntax never reaches the filter: quotes, minus signs and operators are dropped.
    const keys = (mustFind(query({ filter: { q: 'report" -milk $ne' } })).filter.$and as object[]).slice(0, 3);
    expect(keys).toEqual([
      { searchKeys: op({ $in: ['rep', '*'] }) },
      { searchKeys: op({ $in: ['mil', '*'] }) },
      { searchKeys: op({ $in: ['ne', '*'] }) },
    ]);
  });

  it('when a searched word is long, then the index is asked for its first characters and the whole word is matched', () => {
    const long = 'x'.repeat(60);
    const and = mustFind(query({ filter: { q: long } })).filter.$and as object[];
    expect(and[0]).toEqual({ searchKeys: op({ $in: ['xxx', '*'] }) });
    expect(JSON.stringify(and[1])).toContain(`^${long}`);
  });

  it('when all filters are combined with a cursor, then every condition is in the one filter', () => {
    const filter: TaskFilter = {
      status: ['todo'],
      priority: ['high', 'low'],
      tag: 'home',
      q: 'report',
      dueBefore: new Date(T0),
    };
    const result = mustFind(
      query({ filter, sort: { field: 'title', direction: 'asc' }, after: { key: 'plan', id: CURSOR_ID } }),
    );
    expect(result).toEqual({
      filter: {
        project,
        status: op({ $in: ['todo'] }),
        priority: op({ $in: ['high', 'low'] }),
        tags: 'home',
        dueDate: op({ $lte: new Date(T0) }),
        $and: [
          { searchKeys: op({ $in: ['rep', '*'] }) },
          { $or: [{ titleWords: op({ $regex: '^report' }) }, { descriptionWords: op({ $regex: '^report' }) }] },
        ],
        titleKey: op({ $gte: 'plan' }),
        $or: [{ titleKey: op({ $gt: 'plan' }) }, { _id: op({ $gt: cursorId }) }],
      },
      sort: { titleKey: 1, _id: 1 },
      limit: 21,
      hint: { project: 1, searchKeys: 1 },
    });
  });

  it('when the filter goes through mongoose sanitizeFilter, then nothing is rewritten (every operator is trusted)', () => {
    const full = mustFind(
      query({
        filter: {
          status: ['todo'],
          priority: ['low'],
          tag: 't',
          q: 'a b',
          assignee: USER,
          dueAfter: new Date(0),
          dueBefore: new Date(T0),
        },
        sort: { field: 'dueDate', direction: 'desc' },
        after: { key: null, id: CURSOR_ID },
      }),
      [PROJECT, CURSOR_ID],
    ).filter;
    const before = JSON.stringify(full);
    mongoose.sanitizeFilter(full);
    expect(JSON.stringify(full)).toBe(before);
    // The same shape built without `op` is defused, which is what protects against injected operators.
    const untrusted: Record<string, unknown> = { project, status: { $in: ['todo'] } };
    mongoose.sanitizeFilter(untrusted);
    expect(untrusted.status).toEqual({ $eq: { $in: ['todo'] } });
  });
});

describe('toMongoFind: keyset cursors', () => {
  const after = (sort: TaskSort, key: TaskCursor['key']) =>
    mustFind(query({ sort, after: { key, id: CURSOR_ID } })).filter;

  it('when continuing a date sort, then the key range and the id tie-break follow the direction', () => {
    const key = new Date(T0);
    expect(after({ field: 'createdAt', direction: 'desc' }, T0)).toEqual({
      project,
      createdAt: op({ $lte: key }),
      $or: [{ createdAt: op({ $lt: key }) }, { _id: op({ $lt: cursorId }) }],
    });
    expect(after({ field: 'updatedAt', direction: 'asc' }, T0)).toEqual({
      project,
      updatedAt: op({ $gte: key }),
      $or: [{ updatedAt: op({ $gt: key }) }, { _id: op({ $gt: cursorId }) }],
    });
  });

  it('when continuing a priority or title sort, then the stored rank or title key is compared', () => {
    expect(after({ field: 'priority', direction: 'desc' }, 2)).toEqual({
      project,
      priorityRank: op({ $lte: 2 }),
      $or: [{ priorityRank: op({ $lt: 2 }) }, { _id: op({ $lt: cursorId }) }],
    });
    expect(after({ field: 'title', direction: 'desc' }, 'beta')).toEqual({
      project,
      titleKey: op({ $lte: 'beta' }),
      $or: [{ titleKey: op({ $lt: 'beta' }) }, { _id: op({ $lt: cursorId }) }],
    });
  });

  it('when continuing the ascending due-date sort, then dated keys compare as dates and null is the +Infinity block', () => {
    expect(after({ field: 'dueDate', direction: 'asc' }, T0)).toEqual({
      project,
      dueAsc: op({ $gte: T0 }),
      $or: [{ dueAsc: op({ $gt: T0 }) }, { _id: op({ $gt: cursorId }) }],
    });
    expect(after({ field: 'dueDate', direction: 'asc' }, null)).toEqual({
      project,
      dueAsc: op({ $gte: Infinity }),
      $or: [{ dueAsc: op({ $gt: Infinity }) }, { _id: op({ $gt: cursorId }) }],
    });
  });

  it('when continuing the descending due-date sort, then the negated date ascends, ids descend and null is last', () => {
    expect(after({ field: 'dueDate', direction: 'desc' }, T0)).toEqual({
      project,
      dueDesc: op({ $gte: -T0 }),
      $or: [{ dueDesc: op({ $gt: -T0 }) }, { _id: op({ $lt: cursorId }) }],
    });
    expect(after({ field: 'dueDate', direction: 'desc' }, null)).toEqual({
      project,
      dueDesc: op({ $gte: Infinity }),
      $or: [{ dueDesc: op({ $gt: Infinity }) }, { _id: op({ $lt: cursorId }) }],
    });
  });

  it('when a cursor key has the wrong type for its sort, then the translation refuses it', () => {
    expect(() => after({ field: 'createdAt', direction: 'asc' }, 'x')).toThrow(RangeError);
    expect(() => after({ field: 'title', direction: 'asc' }, 5)).toThrow(RangeError);
    expect(() => after({ field: 'priority', direction: 'asc' }, null)).toThrow(RangeError);
  });
});

describe('stored sort and search keys', () => {
  it('when a due date is absent, then both due keys are +Infinity; when present, ascending is the time and descending its negation', () => {
    expect(dueKeysOf(null)).toEqual({ dueAsc: Infinity, dueDesc: Infinity });
    expect(dueKeysOf(new Date(T0))).toEqual({ dueAsc: T0, dueDesc: -T0 });
    expect(Object.is(dueKeysOf(new Date(0)).dueDesc, 0)).toBe(true);
  });

  it('when title keys are compared as MongoDB compares strings (UTF-8 bytes), then they order as JavaScript orders the titles', () => {
    const utf8Order = (a: string, b: string) =>
      Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    const jsOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    // The pair where raw UTF-8 order and JavaScript order disagree: a surrogate pair vs U+FFxx.
    expect(utf8Order('\u{1F600}', '\uFF21')).not.toBe(jsOrder('\u{1F600}', '\uFF21'));
    expect(utf8Order(titleKeyOf('\u{1F600}'), titleKeyOf('\uFF21'))).toBe(jsOrder('\u{1F600}', '\uFF21'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(utf8Order(titleKeyOf(a), titleKeyOf(b))).toBe(jsOrder(a, b));
      }),
      { numRuns: 500 },
    );
    expect(titleKeyOf('plain ascii')).toBe('plain ascii');
  });

  it('when a text is indexed, then its folded words and their prefixes of up to three characters are kept', () => {
    const fields = searchFieldsOf('Buy MILK, eggs!', 'Café crème');
    expect(fields.titleWords).toEqual(['buy', 'milk', 'eggs']);
    expect(fields.descriptionWords).toEqual(['cafe', 'creme']);
    expect([...fields.searchKeys].sort()).toEqual(
      ['b', 'bu', 'buy', 'm', 'mi', 'mil', 'e', 'eg', 'egg', 'c', 'ca', 'caf', 'cr', 'cre'].sort(),
    );
    expect(searchFieldsOf('', '').searchKeys).toEqual([]);
    expect(foldWord('ÉLAN')).toBe('elan');
    expect(foldWord('Zoë')).toBe('zoe');
  });
});

describe('toMongoFind: projects and assignees', () => {
  const ME = '65f0a0b0c0d0e0f0010203c1';
  const SECOND = '65f0a0b0c0d0e0f001020320';
  const MIN = new Types.ObjectId('000000000000000000000000');

  it('when several projects are listed, then one `$in` of their ids (in id order, as batched) selects them on the same sort index', () => {
    const [batch] = projectBatches([SECOND, PROJECT, SECOND]);
    const result = mustFind(query(), batch);
    expect(result.filter).toEqual({ project: op({ $in: [project, new Types.ObjectId(SECOND)] }) });
    expect(result.hint).toEqual({ project: 1, createdAt: -1, _id: -1 });
  });

  it.each(TASK_SORT_FIELDS.flatMap((field) => [`${field} asc`, `${field} desc`]))(
    'when listing the tasks assigned to someone by %s, then the assignee index of that sort is hinted and the filter repeats its partial filter',
    (name) => {
      const [field, direction] = name.split(' ') as [TaskSort['field'], TaskSort['direction']];
      const sort = { field, direction };
      const result = mustFind(query({ sort, filter: { assignee: ME } }), [PROJECT, SECOND]);
      expect(result.filter.assignee).toEqual(op({ $eq: new Types.ObjectId(ME), $gte: MIN }));
      expect(result.filter.assignee).toMatchObject(ASSIGNED);
      const plan = sortPlanOf(sort);
      expect(result.hint).toEqual({ assignee: 1, ...plan.index });
      expect(Object.keys(result.hint ?? {})).toEqual(['assignee', 'project', plan.field, '_id']);
    },
  );

  it('when listing unassigned tasks, then `assignee` must be null and the sort index serves (the assignee indexes hold assigned tasks only)', () => {
    const result = mustFind(query({ filter: { assignee: null } }));
    expect(result.filter).toEqual({ project, assignee: null });
    expect(result.hint).toEqual({ project: 1, createdAt: -1, _id: -1 });
  });

  it('when an assignee and a search are combined, then the search index serves and the assignee is a condition on the candidates', () => {
    const result = mustFind(query({ filter: { assignee: ME, q: 'plan' } }));
    expect(result.hint).toEqual({ project: 1, searchKeys: 1 });
    expect(result.filter.assignee).toEqual(op({ $eq: new Types.ObjectId(ME), $gte: MIN }));
  });

  it('when no project, a malformed project or a malformed assignee is given, then nothing can match and no find is made', () => {
    expect(toMongoFind([], query())).toBeNull();
    expect(toMongoFind(['nope'], query())).toBeNull();
    expect(toMongoFind([PROJECT], query({ filter: { assignee: '{"$ne":null}' } }))).toBeNull();
  });

  it('when more projects than one find may read are given, then the translation refuses them (the repository batches)', () => {
    const many = Array.from({ length: PROJECTS_PER_FIND + 1 }, (_, i) => i.toString(16).padStart(24, '0'));
    expect(() => toMongoFind(many, query())).toThrow(RangeError);
    expect(mustFind(query(), many.slice(0, PROJECTS_PER_FIND)).filter.project).toMatchObject({
      $in: expect.any(Array),
    });
  });

  it('when project ids are batched, then they are distinct, well-formed, in id order and at most PROJECTS_PER_FIND a batch', () => {
    expect(PROJECTS_PER_FIND).toBe(200);
    const ids = Array.from({ length: 450 }, (_, i) => (449 - i).toString(16).padStart(24, '0'));
    const batches = projectBatches([...ids, ids[0] as string, 'nope', ids[10] as string]);
    expect(batches.map((batch) => batch.length)).toEqual([200, 200, 50]);
    expect(batches.flat()).toEqual([...ids].sort());
    expect(projectBatches([])).toEqual([]);
    expect(projectBatches(['x'])).toEqual([]);
  });
});

// The translation is checked against the reference order by evaluating the produced documents
// with mingo, an in-memory implementation of MongoDB's query language.
describe('toMongoFind evaluated on documents', () => {
  const MINE = ['65f0a0b0c0d0e0f001020310', '65f0a0b0c0d0e0f001020320'];
  const STRANGERS = '65f0a0b0c0d0e0f0010203aa';
  const ME = '65f0a0b0c0d0e0f0010203c1';
  const YOU = '65f0a0b0c0d0e0f0010203c2';
  const taskInput = fc.record({
    title: fc.constantFrom('alpha', 'Alpha', 'beta', 'BETA', 'gamma', 'éclair', 'zeta', 'Zeta', 'mu'),
    status: fc.constantFrom(...TASK_STATUSES),
    priority: fc.constantFrom(...TASK_PRIORITIES),
    dueDate: fc.option(
      fc.integer({ min: -3, max: 3 }).map((d) => new Date(T0 + d * 86_400_000)),
      { freq: 3 },
    ),
    tags: fc.subarray(['work', 'home', 'it']),
    created: fc.integer({ min: 0, max: 2 }),
    updated: fc.integer({ min: 0, max: 3 }),
    // Most tasks in one of my two projects, some in a stranger's.
    project: fc.constantFrom(MINE[0] as string, MINE[0] as string, MINE[1] as string, STRANGERS),
    assigneeId: fc.constantFrom(ME, YOU, null),
  });
  const filterArb: fc.Arbitrary<TaskFilter> = fc.record(
    {
      status: fc.subarray([...TASK_STATUSES], { minLength: 1 }),
      priority: fc.subarray([...TASK_PRIORITIES], { minLength: 1 }),
      tag: fc.constantFrom('work', 'home', 'it'),
      dueBefore: fc.integer({ min: -3, max: 3 }).map((d) => new Date(T0 + d * 86_400_000)),
      dueAfter: fc.integer({ min: -3, max: 3 }).map((d) => new Date(T0 + d * 86_400_000)),
      assignee: fc.constantFrom<string | null>(ME, YOU, null),
    },
    { requiredKeys: [] },
  );
  const ALL_SORTS: TaskSort[] = TASK_SORT_FIELDS.flatMap((field) => [
    { field, direction: 'asc' as const },
    { field, direction: 'desc' as const },
  ]);

  const matches = (task: TaskRecord, projectIds: readonly string[], filter: TaskFilter) =>
    projectIds.includes(task.projectId) &&
    (filter.assignee === undefined || task.assigneeId === filter.assignee) &&
    (filter.status === undefined || filter.status.includes(task.status)) &&
    (filter.priority === undefined || filter.priority.includes(task.priority)) &&
    (filter.tag === undefined || task.tags.includes(filter.tag)) &&
    (filter.dueBefore === undefined || (task.dueDate !== null && task.dueDate <= filter.dueBefore)) &&
    (filter.dueAfter === undefined || (task.dueDate !== null && task.dueDate >= filter.dueAfter));

  it('when pages are walked over one or several projects under any filter, every sort and any page size, then every matching task comes once in the reference order', () => {
    const anyFilter = fc.oneof(
      { weight: 1, arbitrary: fc.constant<TaskFilter>({}) },
      { weight: 3, arbitrary: filterArb },
    );
    fc.assert(
      fc.property(
        fc.array(taskInput, { minLength: 1, maxLength: 25 }),
        anyFilter,
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom([MINE[0] as string], MINE),
        (inputs, filter, limit, projectIds) => {
          const docs = inputs.map((input) => {
            const doc = newTaskDoc(
              { projectId: input.project, createdBy: USER, position: `a${input.created % 10}` },
              { ...input, description: '', remindAt: null, recurrence: null },
              new Date(T0 + input.created * 1000),
            );
            doc.updatedAt = new Date(T0 + input.updated * 1000);
            return doc;
          });
          const stored = docs.map(plainObject);
          const records = docs.map(toTaskRecord);
          for (const sort of ALL_SORTS) {
            const expected = records
              .filter((task) => matches(task, projectIds, filter))
              .sort((a, b) => compareTasks(a, b, sort));
            const seen: string[] = [];
            let after: TaskCursor | undefined;
            for (let page = 0; page <= records.length + 1; page += 1) {
              const found = toMongoFind(projectIds, { filter, sort, limit, ...(after ? { after } : {}) });
              if (found === null) throw new Error('no find');
              const rows = mingoFind(stored, plainObject(found.filter)).sort(found.sort).limit(found.limit).all();
              const ids = rows.slice(0, limit).map((row) => String(row._id));
              seen.push(...ids);
              if (rows.length <= limit) break;
              const last = records.find((task) => task.id === ids.at(-1)) as TaskRecord;
              after = { key: sortKeyOf(last, sort.field), id: last.id };
            }
            expect(seen, `sort ${sort.direction} ${sort.field}`).toEqual(expected.map((task) => task.id));
            // Never a task of a project that was not asked for (the stranger's project).
            const byId = new Map(records.map((task) => [task.id, task]));
            expect(seen.every((id) => projectIds.includes(byId.get(id)?.projectId ?? ''))).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
