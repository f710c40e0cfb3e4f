import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { pendingInvitations } from '../../src/storage/mongo/mongo-invitations.repository.js';
import {
  DEFAULT_ORDER_INDEX,
  UNMOVED_TASK,
  UNMOVED_TASK_INDEX,
  UNPLACED_TASK,
} from '../../src/storage/mongo/mongo-migrations.js';
import {
  createModels,
  indexName,
  MEMBERSHIP_BY_USER_INDEX,
  modelList,
  type MongoModels,
} from '../../src/storage/mongo/mongo-models.js';
import { connectOptions, openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { boardStepQuery, taskListQuery } from '../../src/storage/mongo/mongo-tasks.repository.js';
import {
  assigneeCondition,
  BOARD_INDEX,
  boardColumnFilter,
  boardStepFilter,
  op,
  PROJECTS_PER_FIND,
  projectBatches,
  projectCondition,
  SEARCH_INDEX_NAME,
  sortPlanOf,
  toMongoFind,
} from '../../src/storage/mongo/task-query.mongo.js';
import { OPEN_STATUSES, taskStatsPipeline } from '../../src/storage/mongo/task-stats.mongo.js';
import type { Storage } from '../../src/storage/storage.js';
import { sortKeyOf } from '../../src/tasks/task.model.js';
import type { TaskCursor, TaskFilter, TaskRecord, TaskSort } from '../../src/tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_SORT_FIELDS, TASK_STATUSES } from '../../src/tasks/task.model.js';
import { pendingReminderFilter, REMINDER_ORDER } from '../../src/storage/mongo/mongo-jobs.repository.js';
import { notificationListFilter } from '../../src/storage/mongo/mongo-notifications.repository.js';
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
    let me: string;
    let you: string;
    let projectIds: string[];
    const tasks: TaskRecord[] = [];

    /** The winning plan's stages and indexes for a query's explain output. */
    const explained = (output: unknown) =>
      planParts((output as { queryPlanner?: { winningPlan?: unknown } }).queryPlanner?.winningPlan ?? output);

    beforeAll(async () => {
      storage = await openMongoStorage({
        uri: mongo().uri,
        poolSize: 5,
        logger: createLogger({ level: 'silent', json: true }),
        autoIndex: true,
      });
      connection = await mongoose.createConnection().openUri(mongo().uri, connectOptions(mongo().uri, 2));
      models = createModels(connection);
      const newUser = async (email: string) => {
        const user = await storage.users.create({ email, name: email, passwordHash: 'h' }, new Date(T0));
        if (user === null) throw new Error('no user');
        await storage.projects.ensurePersonal(user.id, new Date(T0));
        return user.id;
      };
      me = await newUser('explain@example.test');
      you = await newUser('explain-too@example.test');
      const shared = [
        await storage.projects.create(me, { name: 'Launch', description: '', color: null }, new Date(T0)),
        await storage.projects.create(me, { name: 'Ops', description: '', color: null }, new Date(T0)),
      ];
      projectIds = [me, ...shared.map((project) => project.id)];
      const words = ['report', 'plan', 'review', 'groceries'];
      for (let i = 0; i < 90; i += 1) {
        tasks.push(
          await storage.tasks.create(
            projectIds[i % 3] as string,
            me,
            {
              title: `${words[i % 4]} ${i}`,
              description: i % 3 === 0 ? 'quarterly report' : '',
              status: TASK_STATUSES[i % 3] ?? 'todo',
              priority: TASK_PRIORITIES[i % 4] ?? 'low',
              remindAt: null,
              recurrence: null,
              dueDate: i % 5 === 0 ? null : new Date(T0 + ((i % 7) - 3) * DAY),
              tags: i % 2 === 0 ? ['work'] : ['home'],
              assigneeId: [me, you, null][(i % 5) % 3] ?? null,
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

    it('when every list shape is explained over one, several and the most projects one find reads, with or without an assignee, then each walks its index (merged per project) and only searches sort in memory', async () => {
      const middle = tasks[17] as TaskRecord;
      // Project sets: one project, three, and as many as one find may read (the real three and unknown ids).
      const filler = Array.from({ length: PROJECTS_PER_FIND - 3 }, () => new Types.ObjectId().toHexString());
      const projectSets = [[projectIds[1] as string], projectIds, [...projectIds, ...filler]];
      const assignees: (string | null | undefined)[] = [undefined, me, null];
      let checked = 0;
      for (const sort of ALL_SORTS) {
        const plan = sortPlanOf(sort);
        const cursors: (TaskCursor | undefined)[] = [undefined, { key: sortKeyOf(middle, sort.field), id: middle.id }];
        if (sort.field === 'dueDate') cursors.push({ key: null, id: middle.id });
        for (const projects of projectSets) {
          const [batch] = projectBatches(projects);
          for (const assignee of assignees) {
            for (const [name, base] of FILTERS) {
              const filter: TaskFilter = assignee === undefined ? base : { ...base, assignee };
              for (const after of cursors) {
                const find = toMongoFind(batch ?? [], { filter, sort, limit: 20, ...(after ? { after } : {}) });
                if (find === null) throw new Error(`no find for ${name}`);
                const { stages, indexes } = explained(await taskListQuery(models.tasks, find).explain('queryPlanner'));
                const shape = `${sort.direction} ${sort.field}, ${projects.length} project(s), assignee ${String(assignee)}, ${name}, ${after === undefined ? 'first page' : `after ${String(after.key)}`}: ${stages.join(' < ')}`;
                expect(stages.length, shape).toBeGreaterThan(0);
                expect(stages, shape).not.toContain('COLLSCAN');
                if (filter.q === undefined) {
                  expect(stages, shape).not.toContain('SORT');
                  const index = typeof assignee === 'string' ? plan.assigneeIndex : plan.index;
                  expect(new Set(indexes), shape).toEqual(new Set([indexName(index)]));
                  // Over several projects the order comes from merging one index range per project.
                  if (projects.length > 1) expect(stages, shape).toContain('SORT_MERGE');
                } else {
                  // A search reads the search index (these projects' entries under the word's key), checks
                  // the words of the candidates it fetched, and orders them with a top-k sort bounded by the page.
                  expect(new Set(indexes), shape).toEqual(new Set([SEARCH_INDEX_NAME]));
                  expect(stages, shape).toContain('IXSCAN');
                }
                checked += 1;
              }
            }
          }
        }
      }
      expect(checked).toBe((ALL_SORTS.length * 2 + 2) * FILTERS.length * projectSets.length * assignees.length);
    });

    it('when one more project than a find reads is given, then the server would sort in memory: the reason lists are batched', async () => {
      const admin = connection.getClient().db('admin');
      const knob = (await admin.command({ getParameter: 1, internalQueryMaxScansToExplode: 1 })) as {
        internalQueryMaxScansToExplode: number;
      };
      expect(knob.internalQueryMaxScansToExplode).toBeGreaterThanOrEqual(PROJECTS_PER_FIND);
      const ids = Array.from({ length: knob.internalQueryMaxScansToExplode + 1 }, () => new Types.ObjectId());
      const find = toMongoFind([projectIds[0] as string], {
        filter: {},
        sort: { field: 'createdAt', direction: 'desc' },
        limit: 20,
      });
      if (find === null) throw new Error('no find');
      const tooMany = { ...find, filter: { ...find.filter, project: op({ $in: ids }) } };
      const { stages } = explained(await taskListQuery(models.tasks, tooMany).explain('queryPlanner'));
      expect(stages).toContain('SORT');
      expect(stages).not.toContain('SORT_MERGE');
    });

    it('when stats, the unassigning of a removed member, pending invitations and the migration read tasks, then each reads an index', async () => {
      for (const projects of [[me], projectIds]) {
        for (const assignee of [undefined, me, null]) {
          const pipeline = taskStatsPipeline(
            assignee === undefined ? { projectIds: projects } : { projectIds: projects, assignee },
            new Date(T0),
          );
          const { stages } = planParts(await models.tasks.aggregate(pipeline).explain('queryPlanner'));
          expect(stages, `stats ${projects.length} ${String(assignee)}`).toContain('IXSCAN');
          expect(stages, `stats ${projects.length} ${String(assignee)}`).not.toContain('COLLSCAN');
        }
      }
      // The open-task counts of a page of projects (a project view) read the `{ project, status }` index.
      const openCounts = planParts(
        await models.tasks
          .aggregate([
            {
              $match: {
                project: { $in: projectIds.map((id) => new Types.ObjectId(id)) },
                status: { $in: OPEN_STATUSES },
              },
            },
            { $group: { _id: '$project', n: { $sum: 1 } } },
          ])
          .explain('queryPlanner'),
      );
      expect(openCounts.stages).toContain('IXSCAN');
      expect(openCounts.stages).not.toContain('COLLSCAN');
      const unassign = explained(
        await models.tasks
          .find({ project: projectCondition([projectIds[1] as string]), assignee: assigneeCondition(you) })
          .explain('queryPlanner'),
      );
      expect(unassign.stages).not.toContain('COLLSCAN');
      const invited = explained(
        await models.invitations
          .find(pendingInvitations(new Types.ObjectId(projectIds[1]), new Date(T0)))
          .sort({ createdAt: -1, _id: -1 })
          .explain('queryPlanner'),
      );
      expect(invited.stages).not.toContain('COLLSCAN');
      const unmoved = explained(
        await models.tasks.collection.find(UNMOVED_TASK).hint(UNMOVED_TASK_INDEX).limit(500).explain('queryPlanner'),
      );
      expect(unmoved.indexes).toEqual(['project_status']);
    });

    it('when a move or a create reads a neighbour, then it is one step of the board index with no sort, and the board migration reads indexes', async () => {
      const project = projectIds[1] as string;
      const column = tasks.filter((task) => task.projectId === project && task.status === 'todo');
      const [from, moved] = column;
      if (from === undefined || moved === undefined) throw new Error('no fixture');
      const neighbour = { boardKey: `0${from.position}`, _id: new Types.ObjectId(from.id) };
      const exclude = new Types.ObjectId(moved.id);
      const steps: [string, ReturnType<typeof boardStepQuery>][] = [
        ['end of column', boardStepQuery(models.tasks, boardColumnFilter(project, 'todo'), -1)],
        ['end without the moved task', boardStepQuery(models.tasks, boardColumnFilter(project, 'done', exclude), -1)],
        ['next', boardStepQuery(models.tasks, boardStepFilter(project, 'todo', neighbour, 1, exclude), 1)],
        ['previous', boardStepQuery(models.tasks, boardStepFilter(project, 'todo', neighbour, -1, exclude), -1)],
      ];
      for (const [name, query] of steps) {
        const { stages, indexes } = explained(await query.explain('queryPlanner'));
        expect(new Set(indexes), `${name}: ${stages.join(' < ')}`).toEqual(new Set([indexName(BOARD_INDEX)]));
        expect(stages, name).not.toContain('SORT');
        expect(stages, name).not.toContain('COLLSCAN');
      }
      const unplaced = explained(
        await models.tasks.collection
          .find({ project: new Types.ObjectId(project), status: 'todo', ...UNPLACED_TASK })
          .sort({ createdAt: -1, _id: -1 })
          .hint(DEFAULT_ORDER_INDEX)
          .explain('queryPlanner'),
      );
      expect(unplaced.indexes).toEqual([indexName(DEFAULT_ORDER_INDEX)]);
      expect(unplaced.stages).not.toContain('SORT');
    });

    it("when a membership is looked up (on every request) or a user's memberships are listed, then the index answers without reading a document", async () => {
      const roleOf = explained(
        await models.memberships
          .findOne({ user: new Types.ObjectId(me), project: new Types.ObjectId(projectIds[1]) }, { role: 1, _id: 0 })
          .hint(MEMBERSHIP_BY_USER_INDEX)
          .explain('queryPlanner'),
      );
      expect(roleOf.indexes).toEqual(['user_project_role']);
      expect(roleOf.stages).not.toContain('FETCH');
      const memberships = explained(
        await models.memberships
          .find({ user: new Types.ObjectId(me) }, { project: 1, role: 1, _id: 0 })
          .hint(MEMBERSHIP_BY_USER_INDEX)
          .explain('queryPlanner'),
      );
      expect(memberships.stages).not.toContain('FETCH');
      const members = explained(
        await models.memberships
          .find({ project: new Types.ObjectId(projectIds[1]) }, { user: 1, _id: 0 })
          .explain('queryPlanner'),
      );
      expect(members.stages).toContain('IXSCAN');
      expect(members.stages).not.toContain('COLLSCAN');
    });

    it('when due reminders, a page of notifications, the unread count and the mail queue are read, then each walks its index in order', async () => {
      const reminders = explained(
        await models.tasks
          .find(pendingReminderFilter(new Date(T0), { due: new Date(T0 - DAY), taskId: me }))
          .sort(REMINDER_ORDER)
          .hint(REMINDER_ORDER)
          .limit(100)
          .explain('queryPlanner'),
      );
      expect(reminders.indexes).toEqual(['reminderDue']);
      expect(reminders.stages).not.toContain('SORT');
      for (const unread of [false, true]) {
        const page = explained(
          await models.notifications
            .find(notificationListFilter(me, { unread, after: me }))
            .sort({ _id: -1 })
            .limit(51)
            .explain('queryPlanner'),
        );
        expect(page.stages, `unread ${unread}`).toContain('IXSCAN');
        expect(page.stages, `unread ${unread}`).not.toContain('SORT');
        expect(page.stages, `unread ${unread}`).not.toContain('COLLSCAN');
      }
      const count = explained(
        await models.notifications.find({ user: new Types.ObjectId(me), readAt: null }).explain('queryPlanner'),
      );
      expect(count.indexes).toContain('user_readAt_id_desc');
      const mail = explained(
        await models.notifications
          .find({ mail: 'pending' })
          .sort({ mail: 1, _id: 1 })
          .limit(50)
          .explain('queryPlanner'),
      );
      expect(mail.indexes).toEqual(['mail_id']);
      expect(mail.stages).not.toContain('SORT');
    });
  },
);
