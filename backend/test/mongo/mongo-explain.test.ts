import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createModels, indexName, modelList, type MongoModels } from '../../src/storage/mongo/mongo-models.js';
import { connectOptions, openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { taskListQuery } from '../../src/storage/mongo/mongo-tasks.repository.js';
import { SEARCH_INDEX_NAME, sortPlanOf, toMongoFind } from '../../src/storage/mongo/task-query.mongo.js';
import type { Storage } from '../../src/storage/storage.js';
import { sortKeyOf } from '../../src/tasks/task.model.js';
import type { TaskCursor, TaskFilter, TaskRecord, TaskSort } from '../../src/tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_SORT_FIELDS, TASK_STATUSES } from '../../src/tasks/task.model.js';
import { findMongo } from './mongo-target.js';

const target = await findMongo();
const T0 = Date.UTC(2026, 2, 15, 10);
const DAY = 86_400_000;

const ALL_SORTS: TaskSort[] = TASK_SORT_FIELDS.flatMap((field) => [
  { field, direction: 'asc' as const },
  { field, direction: 'desc' as const },
]);

const FILTERS: [string, TaskFilter][] = [
  ['no filter', {}],
  ['status', { status: ['todo', 'in_progress'] }],
  ['priority', { priority: ['high'] }],
  ['tag', { tag: 'work' }],
  ['due range', { dueAfter: new Date(T0 - DAY), dueBefore: new Date(T0 + 2 * DAY) }],
  ['every filter', { status: ['todo'], priority: ['low', 'high'], tag: 'home', dueBefore: new Date(T0 + 3 * DAY) }],
  ['search', { q: 'report' }],
  ['search and filters', { q: 'plan rep', status: ['todo'], tag: 'work' }],
];

/** The stage names and index names of a winning plan, whatever the explain format (classic, SBE, sharded). */
function planParts(node: unknown, parts = { stages: [] as string[], indexes: [] as string[] }) {
  if (Array.isArray(node)) {
    for (const item of node) planParts(item, parts);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'stage' && typeof value === 'string') parts.stages.push(value);
      else if (key === 'indexName' && typeof value === 'string') parts.indexes.push(value);
      else planParts(value, parts);
    }
  }
  return parts;
}

const live = 'skipped' in target ? null : target;
/** The MongoDB under test; only reached when the suite runs. */
const mongo = () => {
  if (live === null) throw new Error('list query plans (mongo) ran without a MongoDB');
  return live;
};

describe.skipIf(live === null)(
  live === null
    ? `list query plans (mongo) (skipped: ${'skipped' in target ? target.skipped : ''})`
    : `list query plans (mongo via ${live.source})`,
  () => {
    let storage: Storage;
    let connection: mongoose.Connection;
    let models: MongoModels;
    let userId: string;
    const tasks: TaskRecord[] = [];

    beforeAll(async () => {
      storage = await openMongoStorage({
        uri: mongo().uri,
        poolSize: 5,
        logger: createLogger({ level: 'silent', json: true }),
        autoIndex: true,
      });
      connection = await mongoose.createConnection().openUri(mongo().uri, connectOptions(mongo().uri, 2));
      models = createModels(connection);
      const user = await storage.users.create(
        { email: 'explain@example.test', name: 'E', passwordHash: 'h' },
        new Date(T0),
      );
      if (user === null) throw new Error('no user');
      userId = user.id;
      const words = ['report', 'plan', 'review', 'groceries'];
      for (let i = 0; i < 60; i += 1) {
        tasks.push(
          await storage.tasks.create(
            userId,
            {
              title: `${words[i % 4]} ${i}`,
              description: i % 3 === 0 ? 'quarterly report' : '',
              status: TASK_STATUSES[i % 3] ?? 'todo',
              priority: TASK_PRIORITIES[i % 4] ?? 'low',
              dueDate: i % 5 === 0 ? null : new Date(T0 + ((i % 7) - 3) * DAY),
              tags: i % 2 === 0 ? ['work'] : ['home'],
            },
            new Date(T0 + i * 1000),
          ),
        );
      }
    });
    afterAll(async () => {
      await connection?.close();
      await storage?.close();
      await mongo().release();
    });

    it('when the indexes are built at start-up, then the collections hold exactly what the schemas declare', async () => {
      for (const model of modelList(models)) {
        const diff = await model.diffIndexes();
        expect(diff, model.modelName).toEqual({ toCreate: [], toDrop: [] });
      }
    });

    it('when every list shape is explained, then none scans the collection and only text searches sort in memory', async () => {
      const middle = tasks[17] as TaskRecord;
      let checked = 0;
      for (const sort of ALL_SORTS) {
        const cursors: (TaskCursor | undefined)[] = [undefined, { key: sortKeyOf(middle, sort.field), id: middle.id }];
        if (sort.field === 'dueDate') cursors.push({ key: null, id: middle.id });
        for (const [name, filter] of FILTERS) {
          for (const after of cursors) {
            const find = toMongoFind(userId, { filter, sort, limit: 20, ...(after ? { after } : {}) });
            if (find === null) throw new Error(`no find for ${name}`);
            const explained: unknown = await taskListQuery(models.tasks, find).explain('queryPlanner');
            const winning = (explained as { queryPlanner?: { winningPlan?: unknown } }).queryPlanner?.winningPlan;
            const { stages, indexes } = planParts(winning);
            const shape = `${sort.direction} ${sort.field}, ${name}, ${after === undefined ? 'first page' : `after ${String(after.key)}`}: ${stages.join(' < ')}`;
            expect(stages.length, shape).toBeGreaterThan(0);
            expect(stages, shape).not.toContain('COLLSCAN');
            if (filter.q === undefined) {
              expect(stages, shape).not.toContain('SORT');
              expect(new Set(indexes), shape).toEqual(new Set([indexName(sortPlanOf(sort).index)]));
            } else {
              // A search reads the search index (this user's entries under the word's key), checks the
              // words of the candidates it fetched, and orders them with a top-k sort bounded by the page.
              expect(new Set(indexes), shape).toEqual(new Set([SEARCH_INDEX_NAME]));
              expect(stages, shape).toContain('IXSCAN');
            }
            checked += 1;
          }
        }
      }
      expect(checked).toBe(ALL_SORTS.length * FILTERS.length * 2 + 2 * FILTERS.length);
    });
  },
);
