import fc from 'fast-check';
import { aggregate, find as mingoFind } from 'mingo';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskDoc } from '../../src/storage/mongo/mongo-models.js';
import { newTaskDoc, taskUpdateStage } from '../../src/storage/mongo/mongo-tasks.repository.js';
import { toMongoFind } from '../../src/storage/mongo/task-query.mongo.js';
import { personalProjectId } from '../../src/projects/project.model.js';
import type { Storage } from '../../src/storage/storage.js';
import { TASK_SORT_FIELDS } from '../../src/tasks/task.model.js';
import type { TaskChanges, TaskRecord, TaskSort } from '../../src/tasks/tasks.repository.js';
import { openTempSqliteStorage, type TempSqliteStorage } from '../helpers/storage.js';
import { plainObject } from './mingo-helpers.js';

// `q` on MongoDB must find exactly what it finds on the embedded store (FTS5 prefix queries): random
// tasks, random edits and random searches, with the MongoDB filter evaluated by mingo over the stored
// documents and compared, ids and order, with the SQLite adapter's answer to the same list query.

const VOCABULARY = [
  'report',
  'Reports',
  'REPORTING',
  'port',
  'quarterly',
  'quarter',
  'milk',
  'Milky',
  'café',
  'Cafe',
  'crème',
  'creme',
  'zoë',
  'Zoe',
  'naïve',
  'x1',
  'x12',
  '2026',
  'plan',
  'planning',
  're',
  'a',
];
const SORTS: TaskSort[] = TASK_SORT_FIELDS.flatMap((field) => [
  { field, direction: 'asc' as const },
  { field, direction: 'desc' as const },
]);
const T0 = Date.UTC(2026, 2, 15, 10);

const text = (maxWords: number) =>
  fc
    .array(fc.constantFrom(...VOCABULARY, 'and', 'the'), { maxLength: maxWords })
    .chain((words) => fc.constantFrom(words.join(' '), words.join(', '), words.join('-')));
const query = fc
  .array(
    fc.oneof(
      fc.constantFrom(...VOCABULARY),
      // A prefix of a vocabulary word, as people type while searching.
      fc
        .tuple(fc.constantFrom(...VOCABULARY), fc.integer({ min: 1, max: 6 }))
        .map(([word, n]) => Array.from(word).slice(0, n).join('')),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((words) => words.join(' '));
const edit: fc.Arbitrary<TaskChanges> = fc.oneof(
  text(6).map((title) => ({ title: title === '' ? 'untitled' : title })),
  text(12).map((description) => ({ description })),
  fc.tuple(text(4), text(8)).map(([title, description]) => ({ title: title === '' ? 'untitled' : title, description })),
);

function applyUpdate(doc: TaskDoc, changes: TaskChanges, now: Date): TaskDoc {
  const [updated] = aggregate([plainObject(doc)], [taskUpdateStage(changes, now)]);
  if (updated === undefined) throw new Error('the update stage dropped the document');
  // Only title and description change here; the ids stay the stored ObjectIds.
  return {
    ...(updated as unknown as TaskDoc),
    _id: doc._id,
    project: doc.project,
    createdBy: doc.createdBy,
    assignee: doc.assignee,
  };
}

describe('search parity: the MongoDB filter (mingo) and the SQLite adapter', () => {
  let temp: TempSqliteStorage;
  let storage: Storage;
  beforeAll(async () => {
    temp = await openTempSqliteStorage();
    storage = temp.storage;
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  /** A new user with their personal project; answers its id (which is the user's). */
  async function newUser(): Promise<string> {
    const user = await storage.users.create(
      { email: `${new Types.ObjectId().toHexString()}@example.test`, name: 'P', passwordHash: 'h' },
      new Date(T0),
    );
    if (user === null) throw new Error('no user');
    await storage.projects.ensurePersonal(user.id, new Date(T0));
    return personalProjectId(user.id);
  }

  /** The document MongoDB would hold for a record the SQLite adapter stored (same id and dates). */
  function docOf(record: TaskRecord): TaskDoc {
    const doc = newTaskDoc(record, record, record.createdAt);
    return { ...doc, _id: new Types.ObjectId(record.id), updatedAt: record.updatedAt };
  }

  it('when tasks are created and edited at random, then every search returns the same ids in the same order on both', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ title: text(5), description: text(10) }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.record({ index: fc.nat(), changes: edit }), { maxLength: 6 }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        async (inputs, edits, queries) => {
          const [projectId, otherId] = [await newUser(), await newUser()];
          const docs = new Map<string, TaskDoc>();
          for (const [i, input] of inputs.entries()) {
            const owner = i % 4 === 3 ? otherId : projectId;
            const record = await storage.tasks.create(
              owner,
              owner,
              {
                title: input.title === '' ? 'untitled' : input.title,
                description: input.description,
                status: 'todo',
                priority: 'medium',
                remindAt: null,
                recurrence: null,
                dueDate: null,
                tags: [],
                assigneeId: null,
              },
              new Date(T0 + i * 1000),
            );
            docs.set(record.id, docOf(record));
          }
          const ids = [...docs.keys()];
          for (const [n, { index, changes }] of edits.entries()) {
            const id = ids[index % ids.length] as string;
            const doc = docs.get(id) as TaskDoc;
            const now = new Date(T0 + 100_000 + n * 1000);
            const outcome = await storage.tasks.update(doc.project.toHexString(), id, changes, {
              actorId: doc.project.toHexString(),
              now,
            });
            if (outcome.kind !== 'ok') throw new Error(`update failed: ${outcome.kind}`);
            docs.set(id, applyUpdate(doc, changes, now));
          }
          const stored = [...docs.values()].map(plainObject);
          for (const q of queries) {
            for (const sort of SORTS) {
              const listQuery = { filter: { q }, sort, limit: 100 };
              const sqlite = (await storage.tasks.list([projectId], listQuery)).items.map((task) => task.id);
              const find = toMongoFind([projectId], listQuery);
              const mongo =
                find === null
                  ? []
                  : mingoFind(stored, plainObject(find.filter))
                      .sort(find.sort)
                      .limit(find.limit)
                      .all()
                      .map((row) => String(row._id));
              expect(mongo, `q=${JSON.stringify(q)} sort=${sort.direction} ${sort.field}`).toEqual(sqlite);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('when a task has more distinct word prefixes than the index holds, then it is still found by any of its words', async () => {
    const projectId = await newUser();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const words = [...letters].flatMap((a) => [...letters].map((b) => `${a}${b}word`));
    const input = { title: 'Notes', description: words.join(' '), status: 'todo' as const, priority: 'low' as const };
    const record = await storage.tasks.create(
      projectId,
      projectId,
      { ...input, dueDate: null, tags: [], assigneeId: null, remindAt: null, recurrence: null },
      new Date(T0),
    );
    const doc = docOf(record);
    expect(doc.searchKeys).toEqual(['*']);
    for (const q of ['zzword', 'qk', 'notes abw', 'nothing']) {
      const listQuery = { filter: { q }, sort: { field: 'createdAt' as const, direction: 'desc' as const }, limit: 10 };
      const sqlite = (await storage.tasks.list([projectId], listQuery)).items.map((task) => task.id);
      const find = toMongoFind([projectId], listQuery);
      const mongo = mingoFind([plainObject(doc)], plainObject(find?.filter ?? {}))
        .all()
        .map((row) => String(row._id));
      expect(mongo, q).toEqual(sqlite);
      expect(sqlite.length, q).toBe(q === 'nothing' ? 0 : 1);
    }
  });
});
