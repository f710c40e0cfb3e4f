import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewOneTimeToken } from '../../src/auth/one-time-tokens.repository.js';
import type { RefreshTokenRecord } from '../../src/auth/refresh-tokens.repository.js';
import type { Storage } from '../../src/storage/storage.js';
import { ClaimLost, type StoredResponse } from '../../src/idempotency/idempotency.model.js';
import {
  compareTasks,
  sortKeyOf,
  TASK_PRIORITIES,
  TASK_SORT_FIELDS,
  TASK_STATUSES,
  type TaskStatus,
} from '../../src/tasks/task.model.js';
import type { BoardPlacement, NewTask, TaskFilter, TaskRecord, TaskSort } from '../../src/tasks/tasks.repository.js';
import { projectNameKey, type ProjectCursor } from '../../src/projects/project.model.js';
import { DEFAULT_EMAIL_PREFERENCES, type NewNotification } from '../../src/notifications/notification.model.js';

export interface OpenedStorage {
  storage: Storage;
  cleanup: () => Promise<void>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed instant (a Sunday, mid-morning UTC) that every dated fixture is relative to. */
const T0 = Date.UTC(2026, 2, 15, 10, 0, 0);
const at = (ms: number) => new Date(ms);

const ALL_SORTS: TaskSort[] = TASK_SORT_FIELDS.flatMap((field) => [
  { field, direction: 'asc' as const },
  { field, direction: 'desc' as const },
]);

function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
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
  };
}

const sortedNames = (names: readonly string[]) =>
  [...names].sort((a, b) =>
    projectNameKey(a) < projectNameKey(b) ? -1 : projectNameKey(a) > projectNameKey(b) ? 1 : 0,
  );
const sortName = (sort: TaskSort) => `${sort.direction === 'desc' ? '-' : ''}${sort.field}`;
const idsOf = (tasks: readonly TaskRecord[]) => tasks.map((task) => task.id);
const sortedIds = (tasks: readonly TaskRecord[], sort: TaskSort) =>
  idsOf([...tasks].sort((a, b) => compareTasks(a, b, sort)));

/**
 * Declares the behaviour every storage adapter must show through the repository ports.
 * `open` is called once for the block; each test creates its own users, so tests do not
 * see each other's data (refresh-token purging uses an expiry window no other token falls in).
 */
export function describeRepositoryContract(adapterName: string, open: () => Promise<OpenedStorage>): void {
  describe(`repository contract (${adapterName})`, () => {
    let opened: OpenedStorage | undefined;
    const store = (): Storage => {
      if (opened === undefined) throw new Error('the storage under test did not open');
      return opened.storage;
    };

    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    async function newUserId(): Promise<string> {
      const user = await store().users.create(
        { email: `${randomUUID()}@example.test`, name: 'Contract User', passwordHash: 'not-a-real-hash' },
        at(T0),
      );
      if (user === null) throw new Error('could not create a user with a fresh email');
      // Their personal project has their id: the tests below use it as the project of their tasks.
      await store().projects.ensurePersonal(user.id, at(T0));
      return user.id;
    }

    /**
     * Walks every page with `limit`, checking that only the last page has no `next` and that
     * `next` points at the last item; `betweenPages` runs after each page that has a successor.
     */
    async function walk(
      scope: string | readonly string[],
      sort: TaskSort,
      limit: number,
      filter: TaskFilter = {},
      betweenPages?: (page: number) => Promise<void>,
    ) {
      const seen: TaskRecord[] = [];
      let after: { key: number | string | null; id: string } | undefined;
      for (let page = 0; page < 1000; page += 1) {
        const projectIds = typeof scope === 'string' ? [scope] : scope;
        const result = await store().tasks.list(projectIds, { filter, sort, limit, ...(after ? { after } : {}) });
        expect(result.items.length).toBeLessThanOrEqual(limit);
        seen.push(...result.items);
        if (result.next === null) return seen;
        expect(result.items).toHaveLength(limit);
        const last = result.items.at(-1) as TaskRecord;
        expect(result.next).toEqual({ key: sortKeyOf(last, sort.field), id: last.id });
        after = result.next;
        await betweenPages?.(page);
      }
      throw new Error('the walk did not end');
    }

    describe('users', () => {
      it('when a user is created, then it is found by email and by id with the same fields', async () => {
        const email = `${randomUUID()}@example.test`;
        const created = await store().users.create({ email, name: 'Ada', passwordHash: 'h1' }, at(T0));
        expect(created).toEqual({
          id: expect.stringMatching(/^[0-9a-f]{24}$/),
          email,
          name: 'Ada',
          passwordHash: 'h1',
          createdAt: at(T0),
          emailVerified: false,
          emailPreferences: { ...DEFAULT_EMAIL_PREFERENCES },
        });
        expect(await store().users.findByEmail(email)).toEqual(created);
        expect(await store().users.findById(created?.id ?? '')).toEqual(created);
      });

      it('when an address is verified and a password replaced, then both are kept; an unknown user is reported', async () => {
        const email = `${randomUUID()}@example.test`;
        const created = await store().users.create({ email, name: 'Ada', passwordHash: 'old' }, at(T0));
        const id = created?.id ?? '';
        expect(await store().users.markEmailVerified(id)).toBe(true);
        expect(await store().users.markEmailVerified(id)).toBe(true);
        expect(await store().users.setPasswordHash(id, 'new')).toBe(true);
        expect(await store().users.findByEmail(email)).toEqual({
          ...created,
          emailVerified: true,
          passwordHash: 'new',
        });
        expect(await store().users.markEmailVerified('ffffffffffffffffffffffff')).toBe(false);
        expect(await store().users.setPasswordHash('ffffffffffffffffffffffff', 'x')).toBe(false);
        expect(await store().users.markEmailVerified('not-an-id')).toBe(false);
      });

      it('when email switches change, then only the named ones change, over any number of changes', async () => {
        const created = await store().users.create(
          { email: `${randomUUID()}@example.test`, name: 'Ada', passwordHash: 'h' },
          at(T0),
        );
        const id = created?.id ?? '';
        const first = await store().users.setEmailPreferences(id, { reminder: false, 'member.added': false });
        expect(first?.emailPreferences).toEqual({
          assigned: true,
          reminder: false,
          invited: true,
          'member.added': false,
        });
        // Changing one switch while another request changes a different one: both hold.
        await Promise.all([
          store().users.setEmailPreferences(id, { reminder: true }),
          store().users.setEmailPreferences(id, { assigned: false }),
        ]);
        const again = await store().users.setEmailPreferences(id, { 'member.added': false });
        expect(again?.emailPreferences).toEqual({
          assigned: false,
          reminder: true,
          invited: true,
          'member.added': false,
        });
        expect((await store().users.findById(id))?.emailPreferences).toEqual(again?.emailPreferences);
        expect(await store().users.setEmailPreferences('ffffffffffffffffffffffff', { reminder: false })).toBeNull();
      });

      it('when an email is given in another case, then it names the same account on create and on lookup', async () => {
        const local = randomUUID();
        const created = await store().users.create(
          { email: `${local}@Example.TEST`, name: 'Mixed Case', passwordHash: 'not-a-real-hash' },
          at(T0),
        );
        expect(created?.email).toBe(`${local}@example.test`);
        expect(await store().users.findByEmail(`${local.toUpperCase()}@EXAMPLE.test`)).toEqual(created);
        const again = await store().users.create(
          { email: `${local}@example.test`, name: 'Second', passwordHash: 'not-a-real-hash' },
          at(T0),
        );
        expect(again).toBeNull();
      });

      it('when the email is already registered, then create returns null and keeps the first user', async () => {
        const email = `${randomUUID()}@example.test`;
        const first = await store().users.create({ email, name: 'First', passwordHash: 'h1' }, at(T0));
        const second = await store().users.create({ email, name: 'Second', passwordHash: 'h2' }, at(T0 + 1));
        expect(second).toBeNull();
        expect(await store().users.findByEmail(email)).toEqual(first);
      });

      it('when the id is malformed or unknown or the email unknown, then nothing is found', async () => {
        await newUserId();
        expect(await store().users.findById('not-an-id')).toBeNull();
        expect(await store().users.findById('{"$ne":null}')).toBeNull();
        expect(await store().users.findById('ffffffffffffffffffffffff')).toBeNull();
        expect(await store().users.findByEmail(`${randomUUID()}@example.test`)).toBeNull();
      });
    });

    describe('tasks: create, read, update, delete', () => {
      it('when a task is created, then the stored record has version 1, one timestamp and no completedAt', async () => {
        const userId = await newUserId();
        const input = newTask({
          title: 'Write report',
          description: 'Quarterly numbers',
          priority: 'high',
          dueDate: at(T0 + DAY),
          tags: ['work', 'q1'],
        });
        const task = await store().tasks.create(userId, userId, input, at(T0));
        expect(task).toEqual({
          id: expect.stringMatching(/^[0-9a-f]{24}$/),
          projectId: userId,
          createdBy: userId,
          ...input,
          createdAt: at(T0),
          updatedAt: at(T0),
          completedAt: null,
          version: 1,
          position: expect.any(String),
        });
        expect(await store().tasks.findById(task.id)).toEqual(task);
      });

      it('when a task is created as done, then completedAt is the creation time', async () => {
        const userId = await newUserId();
        const task = await store().tasks.create(userId, userId, newTask({ status: 'done' }), at(T0));
        expect(task.completedAt).toEqual(at(T0));
        expect((await store().tasks.findById(task.id))?.completedAt).toEqual(at(T0));
      });

      it('when a task is looked up by id, then it is found whatever its project; a malformed or unknown id is not', async () => {
        const owner = await newUserId();
        const task = await store().tasks.create(owner, owner, newTask(), at(T0));
        expect(await store().tasks.findById(task.id)).toEqual(task);
        expect(await store().tasks.findById('nope')).toBeNull();
        expect(await store().tasks.findById('ffffffffffffffffffffffff')).toBeNull();
      });

      it('when a task is updated without a version, then only the given fields change and the version grows', async () => {
        const userId = await newUserId();
        const task = await store().tasks.create(
          userId,
          userId,
          newTask({ title: 'Old', description: 'keep', dueDate: at(T0 + DAY), tags: ['a', 'b'] }),
          at(T0),
        );
        const outcome = await store().tasks.update(
          userId,
          task.id,
          { title: 'New', priority: 'urgent', dueDate: null, tags: ['c'] },
          { actorId: userId, now: at(T0 + HOUR) },
        );
        const expected: TaskRecord = {
          ...task,
          title: 'New',
          priority: 'urgent',
          dueDate: null,
          tags: ['c'],
          updatedAt: at(T0 + HOUR),
          version: 2,
        };
        expect(outcome).toEqual({ kind: 'ok', task: expected });
        expect(await store().tasks.findById(task.id)).toEqual(expected);
        const redated = await store().tasks.update(
          userId,
          task.id,
          { dueDate: at(T0 + 2 * DAY) },
          { actorId: userId, now: at(T0 + 2 * HOUR) },
        );
        expect(redated).toEqual({
          kind: 'ok',
          task: { ...expected, dueDate: at(T0 + 2 * DAY), updatedAt: at(T0 + 2 * HOUR), version: 3 },
        });
      });

      it('when the expected version matches, then the update applies; when stale, then the current task comes back unchanged', async () => {
        const userId = await newUserId();
        const task = await store().tasks.create(userId, userId, newTask({ title: 'v1' }), at(T0));
        const ok = await store().tasks.update(
          userId,
          task.id,
          { title: 'v2' },
          { actorId: userId, expectedVersion: 1, now: at(T0 + 1) },
        );
        expect(ok.kind).toBe('ok');
        const stale = await store().tasks.update(
          userId,
          task.id,
          { title: 'v3' },
          { actorId: userId, expectedVersion: 1, now: at(T0 + 2) },
        );
        const current = { ...task, title: 'v2', updatedAt: at(T0 + 1), version: 2 };
        expect(stale).toEqual({ kind: 'version_mismatch', current });
        expect(await store().tasks.findById(task.id)).toEqual(current);
      });

      it("when a task is updated in another project's scope, or by a malformed or unknown id, then it is not found and nothing changes", async () => {
        const owner = await newUserId();
        const stranger = await newUserId();
        const task = await store().tasks.create(owner, owner, newTask({ title: 'mine' }), at(T0));
        const now = at(T0 + 1);
        expect(await store().tasks.update(stranger, task.id, { title: 'x' }, { actorId: stranger, now })).toEqual({
          kind: 'not_found',
        });
        expect(
          await store().tasks.update(stranger, task.id, { title: 'x' }, { actorId: stranger, now, expectedVersion: 1 }),
        ).toEqual({
          kind: 'not_found',
        });
        expect(await store().tasks.update(owner, 'bad-id', { title: 'x' }, { actorId: owner, now })).toEqual({
          kind: 'not_found',
        });
        expect(
          await store().tasks.update(owner, 'ffffffffffffffffffffffff', { title: 'x' }, { actorId: owner, now }),
        ).toEqual({
          kind: 'not_found',
        });
        expect(await store().tasks.findById(task.id)).toEqual(task);
      });

      it('when status enters, stays in and leaves done, then completedAt is set, kept and cleared', async () => {
        const userId = await newUserId();
        const task = await store().tasks.create(userId, userId, newTask(), at(T0));
        const update = async (changes: { status?: TaskStatus; title?: string }, now: number) => {
          const outcome = await store().tasks.update(userId, task.id, changes, { actorId: userId, now: at(now) });
          if (outcome.kind !== 'ok') throw new Error(`update failed: ${outcome.kind}`);
          return outcome.task;
        };
        expect((await update({ status: 'done' }, T0 + 1000)).completedAt).toEqual(at(T0 + 1000));
        expect((await update({ status: 'done', title: 'again' }, T0 + 2000)).completedAt).toEqual(at(T0 + 1000));
        expect((await update({ title: 'renamed' }, T0 + 3000)).completedAt).toEqual(at(T0 + 1000));
        expect((await update({ status: 'in_progress' }, T0 + 4000)).completedAt).toBeNull();
        expect((await update({ status: 'todo' }, T0 + 5000)).completedAt).toBeNull();
        const reopened = await update({ status: 'done' }, T0 + 6000);
        expect(reopened).toMatchObject({ status: 'done', completedAt: at(T0 + 6000), version: 7 });
      });

      it('when a task is deleted, then the delete is scoped to its project and guarded by the version', async () => {
        const owner = await newUserId();
        const stranger = await newUserId();
        const task = await store().tasks.create(owner, owner, newTask(), at(T0));
        expect(await store().tasks.delete(stranger, task.id, { now: new Date(), actorId: stranger })).toEqual({
          kind: 'not_found',
        });
        expect(await store().tasks.delete(owner, 'bad-id', { now: new Date(), actorId: owner })).toEqual({
          kind: 'not_found',
        });
        expect(
          await store().tasks.delete(owner, task.id, { now: new Date(), actorId: owner, expectedVersion: 2 }),
        ).toEqual({
          kind: 'version_mismatch',
          current: task,
        });
        expect(await store().tasks.findById(task.id)).toEqual(task);
        expect(
          await store().tasks.delete(owner, task.id, { now: new Date(), actorId: owner, expectedVersion: 1 }),
        ).toEqual({ kind: 'ok' });
        expect(await store().tasks.findById(task.id)).toBeNull();
        expect(await store().tasks.delete(owner, task.id, { now: new Date(), actorId: owner })).toEqual({
          kind: 'not_found',
        });

        const other = await store().tasks.create(owner, owner, newTask(), at(T0));
        expect(await store().tasks.delete(owner, other.id, { now: new Date(), actorId: owner })).toEqual({
          kind: 'ok',
        });
        expect(await store().tasks.list([owner], { filter: {}, sort: ALL_SORTS[0] as TaskSort, limit: 10 })).toEqual({
          items: [],
          next: null,
        });
      });
    });

    describe('tasks: list filters', () => {
      const byDefault: TaskSort = { field: 'createdAt', direction: 'desc' };
      let userId: string;
      const fixture = new Map<'report' | 'groceries' | 'bug' | 'holiday' | 'draft', TaskRecord>();
      const get = (name: Parameters<typeof fixture.get>[0]) => {
        const task = fixture.get(name);
        if (task === undefined) throw new Error(`fixture task ${name} was not created`);
        return task;
      };
      const named = () => ({
        report: get('report'),
        groceries: get('groceries'),
        bug: get('bug'),
        holiday: get('holiday'),
        draft: get('draft'),
      });

      beforeAll(async () => {
        userId = await newUserId();
        const make = (input: Partial<NewTask>, offset: number) =>
          store().tasks.create(userId, userId, newTask(input), at(T0 + offset));
        fixture.set(
          'report',
          await make(
            {
              title: 'Write quarterly report',
              description: 'Numbers for the board',
              priority: 'high',
              dueDate: at(T0 + DAY),
              tags: ['work'],
            },
            1,
          ),
        );
        fixture.set(
          'groceries',
          await make(
            {
              title: 'Buy groceries',
              description: 'milk, eggs',
              status: 'in_progress',
              priority: 'low',
              tags: ['home'],
            },
            2,
          ),
        );
        fixture.set(
          'bug',
          await make(
            {
              title: 'Report login bug',
              description: 'The page crashes',
              status: 'done',
              priority: 'urgent',
              dueDate: at(T0 + 2 * DAY),
              tags: ['work', 'it'],
            },
            3,
          ),
        );
        fixture.set(
          'holiday',
          await make(
            {
              title: 'Plan holiday',
              description: 'Book flights, then REPORT the dates',
              priority: 'medium',
              dueDate: at(T0 + 3 * DAY),
              tags: ['home', 'travel'],
            },
            4,
          ),
        );
        fixture.set(
          'draft',
          await make(
            {
              title: 'Draft the report',
              description: 'first version',
              status: 'in_progress',
              priority: 'high',
              dueDate: at(T0 - DAY),
              tags: [],
            },
            5,
          ),
        );
        // Another user's tasks share every word and tag and must never leak into these lists.
        const stranger = await newUserId();
        await store().tasks.create(
          stranger,
          stranger,
          newTask({ title: 'Report draft report', tags: ['work', 'home'], dueDate: at(T0) }),
          at(T0),
        );
      });

      const expectList = async (filter: TaskFilter, expected: TaskRecord[]) => {
        const page = await store().tasks.list([userId], { filter, sort: byDefault, limit: 50 });
        expect(idsOf(page.items)).toEqual(sortedIds(expected, byDefault));
        expect(page.next).toBeNull();
      };

      it('when filtering by one or several statuses, then only tasks with those statuses come back', async () => {
        const { report, groceries, bug, holiday, draft } = named();
        await expectList({ status: ['todo'] }, [report, holiday]);
        await expectList({ status: ['in_progress', 'done'] }, [groceries, bug, draft]);
        await expectList({ status: [...TASK_STATUSES] }, [report, groceries, bug, holiday, draft]);
      });

      it('when filtering by priorities, then only tasks with those priorities come back', async () => {
        const { report, groceries, bug, draft } = named();
        await expectList({ priority: ['high'] }, [report, draft]);
        await expectList({ priority: ['low', 'urgent'] }, [groceries, bug]);
      });

      it('when filtering by a tag, then only tasks carrying it come back', async () => {
        const { report, groceries, bug, holiday } = named();
        await expectList({ tag: 'work' }, [report, bug]);
        await expectList({ tag: 'home' }, [groceries, holiday]);
        await expectList({ tag: 'travel' }, [holiday]);
        await expectList({ tag: 'nothing-has-this' }, []);
      });

      it('when searching words, then matching is case-insensitive over title and description and every word must match', async () => {
        const { report, bug, holiday, draft, groceries } = named();
        await expectList({ q: 'report' }, [report, bug, holiday, draft]);
        await expectList({ q: 'REPORT' }, [report, bug, holiday, draft]);
        await expectList({ q: 'report draft' }, [draft]);
        await expectList({ q: '  Milk, EGGS!  ' }, [groceries]);
        await expectList({ q: 'report zebra' }, []);
      });

      it('when the search text holds no word, then nothing matches and no query syntax is interpreted', async () => {
        await expectList({ q: '!!! ???' }, []);
        await expectList({ q: '"' }, []);
        await expectList({ q: 'report" OR "milk' }, []);
        await expectList({ q: '*' }, []);
      });

      it('when filtering by due dates, then both bounds are inclusive and tasks without a due date are left out', async () => {
        const { report, bug, holiday, draft } = named();
        await expectList({ dueBefore: at(T0 + 2 * DAY) }, [report, bug, draft]);
        await expectList({ dueAfter: at(T0 + 2 * DAY) }, [bug, holiday]);
        await expectList({ dueAfter: at(T0 + DAY), dueBefore: at(T0 + 2 * DAY) }, [report, bug]);
        await expectList({ dueAfter: at(T0 + 10 * DAY) }, []);
      });

      it('when filters are combined, then a task must satisfy all of them', async () => {
        const { report, holiday, draft } = named();
        await expectList({ status: ['todo'], tag: 'home', q: 'report' }, [holiday]);
        await expectList({ priority: ['high'], q: 'report', dueBefore: at(T0) }, [draft]);
        await expectList({ status: ['todo', 'in_progress'], priority: ['high', 'medium'], dueAfter: at(T0) }, [
          report,
          holiday,
        ]);
        await expectList({ status: ['done'], tag: 'home' }, []);
      });

      it('when a filtered list is walked in small pages under every sort, then it matches the reference order', async () => {
        const all = [...fixture.values()];
        const filter: TaskFilter = { status: ['todo', 'in_progress'] };
        const expected = all.filter((task) => task.status !== 'done');
        for (const sort of ALL_SORTS) {
          expect(idsOf(await walk(userId, sort, 2, filter)), sortName(sort)).toEqual(sortedIds(expected, sort));
        }
      });
    });

    describe('tasks: list order and cursors', () => {
      let userId: string;
      let tasks: TaskRecord[] = [];
      const titles = [
        'alpha',
        'Alpha',
        'ALPHA',
        'beta',
        'Beta',
        'gamma',
        'delta',
        'éclair',
        'Zeta',
        'zeta',
        'mu',
        'Mu',
      ];

      beforeAll(async () => {
        userId = await newUserId();
        const created: TaskRecord[] = [];
        for (let i = 0; i < 24; i += 1) {
          const input = newTask({
            title: titles[i % titles.length] as string,
            status: TASK_STATUSES[i % 3] as TaskStatus,
            priority: TASK_PRIORITIES[(i * 3) % 4],
            // Every fifth task has no due date; the others share four due dates.
            dueDate: i % 5 === 0 ? null : at(T0 + DAY * ((i * 3) % 4)),
          });
          // Eight creation instants, three tasks on each, not in creation order.
          created.push(await store().tasks.create(userId, userId, input, at(T0 + ((i * 5) % 8) * 60_000)));
        }
        tasks = [];
        for (const [i, task] of created.entries()) {
          if (i % 4 !== 1) {
            tasks.push(task);
            continue;
          }
          const outcome = await store().tasks.update(
            userId,
            task.id,
            { description: `edited ${i}` },
            { actorId: userId, now: at(T0 + HOUR + (i % 3) * 1000) },
          );
          if (outcome.kind !== 'ok') throw new Error(`fixture update failed: ${outcome.kind}`);
          tasks.push(outcome.task);
        }
      });

      it('when the whole list is read in one page under each of the 10 sorts, then it follows the reference order', async () => {
        for (const sort of ALL_SORTS) {
          const page = await store().tasks.list([userId], { filter: {}, sort, limit: 100 });
          expect(idsOf(page.items), sortName(sort)).toEqual(sortedIds(tasks, sort));
          expect(page.items).toEqual([...tasks].sort((a, b) => compareTasks(a, b, sort)));
          expect(page.next).toBeNull();
        }
      });

      it('when the list is walked with limits 1, 2, 5 and 24, then every task comes exactly once in order and the last page has no cursor', async () => {
        for (const sort of ALL_SORTS) {
          const expected = sortedIds(tasks, sort);
          for (const limit of [1, 2, 5, 24]) {
            expect(idsOf(await walk(userId, sort, limit)), `${sortName(sort)} limit ${limit}`).toEqual(expected);
          }
        }
      });

      it('when a page stops exactly at the end, then next is null', async () => {
        const sort: TaskSort = { field: 'createdAt', direction: 'desc' };
        const first = await store().tasks.list([userId], { filter: {}, sort, limit: 23 });
        expect(first.items).toHaveLength(23);
        expect(first.next).not.toBeNull();
        const exact = await store().tasks.list([userId], { filter: {}, sort, limit: 24 });
        expect(exact.items).toHaveLength(24);
        expect(exact.next).toBeNull();
      });

      it('when tasks are created during a walk, then every task that existed before comes exactly once', async () => {
        const walker = await newUserId();
        const before: TaskRecord[] = [];
        for (let i = 0; i < 10; i += 1) {
          before.push(
            await store().tasks.create(
              walker,
              walker,
              newTask({ title: `m ${i}`, dueDate: i % 3 === 0 ? null : at(T0 + i * HOUR) }),
              at(T0 + i * 1000),
            ),
          );
        }
        const sorts: TaskSort[] = [
          { field: 'createdAt', direction: 'desc' },
          { field: 'createdAt', direction: 'asc' },
          { field: 'title', direction: 'asc' },
          { field: 'dueDate', direction: 'desc' },
        ];
        let created = 0;
        for (const sort of sorts) {
          // New tasks land before, inside and after the walked range; only while the first pages
          // are read, so that the walk ends.
          const walked = await walk(walker, sort, 3, {}, async (page) => {
            if (page >= 3) return;
            created += 1;
            for (const title of ['a new', 'm 5b', 'z new']) {
              await store().tasks.create(
                walker,
                walker,
                newTask({ title, dueDate: created % 2 === 0 ? null : at(T0 + 5 * HOUR) }),
                at(T0 + 60_000 + created),
              );
            }
          });
          const seen = idsOf(walked);
          expect(new Set(seen).size, sortName(sort)).toBe(seen.length);
          for (const task of before) {
            expect(
              seen.filter((id) => id === task.id),
              `${sortName(sort)} ${task.title}`,
            ).toHaveLength(1);
          }
        }
      });
    });

    describe('tasks: board order', () => {
      const BOARD: TaskSort = { field: 'position', direction: 'asc' };
      /** A project's board as the list returns it, every page of `limit`. */
      const board = async (projectId: string, limit = 7) => walk(projectId, BOARD, limit);
      const column = async (projectId: string, status: TaskStatus) =>
        (await board(projectId)).filter((task) => task.status === status);
      /** Positions compare as plain strings; within a column they must be strictly increasing. */
      const expectStrictlyIncreasing = (tasks: readonly TaskRecord[]) => {
        for (let i = 1; i < tasks.length; i += 1) {
          expect((tasks[i - 1] as TaskRecord).position < (tasks[i] as TaskRecord).position, `position ${i}`).toBe(true);
        }
      };
      async function columnOf(userId: string, titles: readonly string[], status: TaskStatus = 'todo') {
        const created: TaskRecord[] = [];
        for (const [i, title] of titles.entries()) {
          created.push(await store().tasks.create(userId, userId, newTask({ title, status }), at(T0 + i)));
        }
        return created;
      }
      const titlesOf = (tasks: readonly TaskRecord[]) => tasks.map((task) => task.title);
      const move = (projectId: string, id: string, placement: BoardPlacement, expectedVersion?: number) =>
        store().tasks.move(projectId, id, placement, {
          actorId: projectId,
          now: at(T0 + HOUR),
          ...(expectedVersion === undefined ? {} : { expectedVersion }),
        });
      const moved = async (...args: Parameters<typeof move>) => {
        const outcome = await move(...args);
        if (outcome.kind !== 'ok') throw new Error(`move refused: ${JSON.stringify(outcome)}`);
        return outcome.task;
      };

      it('when tasks are created, then each goes to the end of its column and the board lists column by column', async () => {
        const userId = await newUserId();
        const todo = await columnOf(userId, ['t1', 't2', 't3']);
        const done = await columnOf(userId, ['d1', 'd2'], 'done');
        const doing = await columnOf(userId, ['p1'], 'in_progress');
        expect(titlesOf(await board(userId, 2))).toEqual(['t1', 't2', 't3', 'p1', 'd1', 'd2']);
        expectStrictlyIncreasing(todo);
        expectStrictlyIncreasing(done);
        for (const task of [...todo, ...done, ...doing]) expect(task.position).toMatch(/^[0-9A-Za-z]+$/);
      });

      it('when a task is moved after, before, between or to the end, then only it changes and the column has that order', async () => {
        const userId = await newUserId();
        const [a, b, c, d] = await columnOf(userId, ['a', 'b', 'c', 'd']);
        if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('no fixture');
        const others = await board(userId);

        const first = await moved(userId, d.id, { status: 'todo', afterId: a.id });
        expect(first).toMatchObject({ id: d.id, version: 2, updatedAt: at(T0 + HOUR), status: 'todo' });
        expect(titlesOf(await column(userId, 'todo'))).toEqual(['a', 'd', 'b', 'c']);
        // Nobody else was written: the other tasks are exactly as before.
        const after = await board(userId);
        for (const task of others.filter((other) => other.id !== d.id)) {
          expect(after.find((other) => other.id === task.id)).toEqual(task);
        }

        await moved(userId, a.id, { status: 'todo', beforeId: c.id });
        expect(titlesOf(await column(userId, 'todo'))).toEqual(['d', 'b', 'a', 'c']);
        await moved(userId, c.id, { status: 'todo', afterId: d.id, beforeId: b.id });
        expect(titlesOf(await column(userId, 'todo'))).toEqual(['d', 'c', 'b', 'a']);
        await moved(userId, d.id, { status: 'todo' });
        expect(titlesOf(await column(userId, 'todo'))).toEqual(['c', 'b', 'a', 'd']);
        await moved(userId, a.id, { status: 'todo', beforeId: c.id });
        const final = await column(userId, 'todo');
        expect(titlesOf(final)).toEqual(['a', 'c', 'b', 'd']);
        expectStrictlyIncreasing(final);
      });

      it('when a task is moved into another column, then its status, completedAt and place there follow', async () => {
        const userId = await newUserId();
        const [a] = await columnOf(userId, ['a']);
        const [x, y] = await columnOf(userId, ['x', 'y'], 'done');
        if (a === undefined || x === undefined || y === undefined) throw new Error('no fixture');
        const task = await moved(userId, a.id, { status: 'done', afterId: x.id });
        expect(task).toMatchObject({ status: 'done', completedAt: at(T0 + HOUR), version: 2 });
        expect(titlesOf(await column(userId, 'done'))).toEqual(['x', 'a', 'y']);
        expect(await column(userId, 'todo')).toEqual([]);
        const back = await moved(userId, a.id, { status: 'todo' });
        expect(back).toMatchObject({ status: 'todo', completedAt: null, version: 3 });
        expect(await store().tasks.findById(a.id)).toEqual(back);
      });

      it('when the neighbours are missing, elsewhere, in another column, the task itself or out of order, then the move names the field and writes nothing', async () => {
        const userId = await newUserId();
        const other = await newUserId();
        const [a, b] = await columnOf(userId, ['a', 'b']);
        const [done] = await columnOf(userId, ['done'], 'done');
        const [foreign] = await columnOf(other, ['foreign']);
        if (a === undefined || b === undefined || done === undefined || foreign === undefined)
          throw new Error('no fixture');
        const refusals: [BoardPlacement, 'afterId' | 'beforeId'][] = [
          [{ status: 'todo', afterId: foreign.id }, 'afterId'],
          [{ status: 'todo', beforeId: '65f0a0b0ffffffffffffffff' }, 'beforeId'],
          [{ status: 'todo', afterId: done.id }, 'afterId'],
          [{ status: 'done', beforeId: b.id }, 'beforeId'],
          [{ status: 'todo', afterId: a.id }, 'afterId'],
          [{ status: 'todo', afterId: b.id, beforeId: a.id }, 'beforeId'],
        ];
        for (const [placement, field] of refusals) {
          expect(await move(userId, a.id, placement), JSON.stringify(placement)).toMatchObject({
            kind: 'bad_neighbour',
            field,
          });
        }
        expect(await store().tasks.findById(a.id)).toEqual(a);
        expect(titlesOf(await column(userId, 'todo'))).toEqual(['a', 'b']);
      });

      it('when a move names a version, then another version is a mismatch and an unknown task is not found', async () => {
        const userId = await newUserId();
        const [a, b] = await columnOf(userId, ['a', 'b']);
        if (a === undefined || b === undefined) throw new Error('no fixture');
        expect(await move(userId, a.id, { status: 'todo', afterId: b.id }, 2)).toEqual({
          kind: 'version_mismatch',
          current: a,
        });
        expect((await moved(userId, a.id, { status: 'todo', afterId: b.id }, 1)).version).toBe(2);
        expect(await move(userId, '65f0a0b0fffffffffffffffe', { status: 'todo' })).toEqual({ kind: 'not_found' });
        expect(await move(await newUserId(), a.id, { status: 'todo' })).toEqual({ kind: 'not_found' });
      });

      it('when a thousand moves go between the same two neighbours, then the order stays strict and every page agrees', async () => {
        const userId = await newUserId();
        const [left, right, x, y] = await columnOf(userId, ['left', 'right', 'x', 'y']);
        if (left === undefined || right === undefined || x === undefined || y === undefined)
          throw new Error('no fixture');
        // Each move puts x or y right after `left`, before the other one: the gap right after
        // `left` halves every time, the hardest case for fractional keys.
        const order = ['left', 'right', 'x', 'y'];
        for (let i = 0; i < 1000; i += 1) {
          const [mover, neighbour] = i % 2 === 0 ? [x, y] : [y, x];
          await moved(userId, mover.id, {
            status: 'todo',
            afterId: left.id,
            beforeId: i === 0 ? right.id : neighbour.id,
          });
          order.splice(order.indexOf(mover.title), 1);
          order.splice(1, 0, mover.title);
        }
        const final = await column(userId, 'todo');
        expect(titlesOf(final)).toEqual(order);
        expectStrictlyIncreasing(final);
        expect(new Set(final.map((task) => task.position)).size).toBe(final.length);
      });

      it('when a column is rebalanced, then its keys are short, its order and versions unchanged, and other columns untouched', async () => {
        const userId = await newUserId();
        const tasks = await columnOf(userId, ['a', 'b', 'c', 'd', 'e']);
        const [done] = await columnOf(userId, ['done'], 'done');
        const [a, b, c] = tasks;
        if (a === undefined || b === undefined || c === undefined || done === undefined) throw new Error('no fixture');
        for (let i = 0; i < 300; i += 1) {
          await moved(userId, (i % 2 === 0 ? b : c).id, {
            status: 'todo',
            afterId: a.id,
            beforeId: (i % 2 === 0 ? c : b).id,
          });
        }
        const before = await column(userId, 'todo');
        expect(Math.max(...before.map((task) => task.position.length))).toBeGreaterThan(32);
        expect(await store().tasks.rebalanceColumn(userId, 'todo')).toBeGreaterThan(0);
        const after = await column(userId, 'todo');
        expect(idsOf(after)).toEqual(idsOf(before));
        expect(after.map((task) => task.version)).toEqual(before.map((task) => task.version));
        expect(Math.max(...after.map((task) => task.position.length))).toBeLessThanOrEqual(4);
        expectStrictlyIncreasing(after);
        expect(await store().tasks.findById(done.id)).toEqual(done);
        // A move after a rebalance still lands where asked.
        await moved(userId, (after[4] as TaskRecord).id, { status: 'todo', afterId: (after[0] as TaskRecord).id });
        expect(idsOf(await column(userId, 'todo'))).toEqual(
          idsOf([after[0], after[4], after[1], after[2], after[3]] as TaskRecord[]),
        );
      });

      it('when an update changes the status or the project, then the task goes to the end of its new column', async () => {
        const owner = await newUserId();
        const target = await store().projects.create(owner, { name: 'Board', description: '', color: null }, at(T0));
        const [a, b] = await columnOf(owner, ['a', 'b']);
        const [x] = await columnOf(owner, ['x'], 'in_progress');
        if (a === undefined || b === undefined || x === undefined) throw new Error('no fixture');
        await store().tasks.update(owner, a.id, { status: 'in_progress' }, { actorId: owner, now: at(T0 + HOUR) });
        expect(titlesOf(await column(owner, 'in_progress'))).toEqual(['x', 'a']);
        // A change that keeps the column keeps the place.
        await store().tasks.update(
          owner,
          x.id,
          { status: 'in_progress', title: 'x2' },
          { actorId: owner, now: at(T0 + HOUR) },
        );
        expect(titlesOf(await column(owner, 'in_progress'))).toEqual(['x2', 'a']);
        await store().tasks.create(target.id, owner, newTask({ title: 'there' }), at(T0));
        await store().tasks.update(owner, b.id, { projectId: target.id }, { actorId: owner, now: at(T0 + HOUR) });
        expect(titlesOf(await column(target.id, 'todo'))).toEqual(['there', 'b']);
      });

      it('when many moves of one column run at once, then no task is lost or duplicated and no two share a position', async () => {
        const userId = await newUserId();
        const tasks = await columnOf(
          userId,
          Array.from({ length: 12 }, (_, i) => `t${i}`),
        );
        const [anchor] = tasks;
        if (anchor === undefined) throw new Error('no fixture');
        const outcomes = await Promise.all(
          tasks
            .slice(1)
            .map((task, i) =>
              move(
                userId,
                task.id,
                i % 3 === 0 ? { status: 'todo', afterId: anchor.id } : { status: i % 2 === 0 ? 'todo' : 'done' },
              ),
            ),
        );
        for (const outcome of outcomes) expect(outcome.kind).toBe('ok');
        const all = await board(userId, 5);
        expect(idsOf(all).sort()).toEqual(idsOf(tasks).sort());
        for (const status of TASK_STATUSES) expectStrictlyIncreasing(all.filter((task) => task.status === status));
      });
    });

    describe('tasks: stats', () => {
      it('when stats are read at a fixed instant, then counts, overdue, due today and 14 zero-filled days are exact', async () => {
        const userId = await newUserId();
        const make = (input: Partial<NewTask>, createdAt = T0 - 30 * DAY) =>
          store().tasks.create(userId, userId, newTask(input), at(createdAt));
        const midnight = Date.UTC(2026, 2, 16);
        await make({ dueDate: at(T0 - HOUR), priority: 'high' }); // overdue
        await make({ status: 'in_progress', dueDate: at(T0 - 3 * DAY), priority: 'urgent' }); // overdue
        await make({ status: 'done', dueDate: at(T0 - HOUR) }, T0 - 2 * HOUR); // done: neither; completed today
        await make({ dueDate: at(T0), priority: 'low' }); // due today (now itself)
        await make({ status: 'in_progress', dueDate: at(midnight - 1) }); // due today (last ms)
        await make({ dueDate: at(midnight) }); // tomorrow
        await make({}); // no due date
        await make({ status: 'done' }, Date.UTC(2026, 2, 15, 0, 0, 0)); // completed today, first ms
        await make({ status: 'done', priority: 'low' }, Date.UTC(2026, 2, 2, 0, 0, 0)); // first day of the window
        await make({ status: 'done' }, Date.UTC(2026, 2, 1, 23, 59, 59, 999)); // just before the window
        await make({ status: 'done' }, Date.UTC(2026, 2, 10, 8));
        await make({ status: 'done' }, Date.UTC(2026, 2, 10, 20));
        const reopened = await make({ status: 'done' }, Date.UTC(2026, 2, 12, 8));
        await store().tasks.update(userId, reopened.id, { status: 'todo' }, { actorId: userId, now: at(T0 - HOUR) });
        const later = await make({ dueDate: at(T0 - DAY) }); // overdue until completed below
        await store().tasks.update(
          userId,
          later.id,
          { status: 'done' },
          { actorId: userId, now: at(Date.UTC(2026, 2, 14, 23, 59)) },
        );

        const stranger = await newUserId();
        await store().tasks.create(
          stranger,
          stranger,
          newTask({ status: 'done', dueDate: at(T0 - HOUR) }),
          at(T0 - HOUR),
        );
        await store().tasks.create(stranger, stranger, newTask({ dueDate: at(T0 - HOUR) }), at(T0 - HOUR));

        const completed: Record<string, number> = {
          '2026-03-02': 1,
          '2026-03-10': 2,
          '2026-03-14': 1,
          '2026-03-15': 2,
        };
        const days = Array.from({ length: 14 }, (_, i) =>
          new Date(Date.UTC(2026, 2, 2 + i)).toISOString().slice(0, 10),
        );
        expect(await store().tasks.stats([userId], { now: at(T0) })).toEqual({
          total: 14,
          byStatus: { todo: 5, in_progress: 2, done: 7 },
          byPriority: { low: 2, medium: 10, high: 1, urgent: 1 },
          overdue: 2,
          dueToday: 2,
          completedByDay: days.map((date) => ({ date, count: completed[date] ?? 0 })),
        });
      });

      it('when due dates span months and change, then overdue is exact at every instant over ten weeks', async () => {
        const userId = await newUserId();
        const other = await store().projects.create(userId, { name: 'Other', description: '', color: null }, at(T0));
        const make = (input: Partial<NewTask>, projectId = userId) =>
          store().tasks.create(projectId, userId, newTask(input), at(T0 - 200 * DAY));
        const made = [];
        for (const offset of [-150, -70, -64, -40, -33, -32, -31, -20, -9, -2, -1, 0, 1, 5, 30, 33]) {
          made.push(await make({ dueDate: at(T0 + offset * DAY - HOUR) }));
          made.push(await make({ dueDate: at(T0 + offset * DAY), status: 'in_progress' }, other.id));
        }
        const [moved, completed, deleted, reassigned, dated] = made;
        if (!moved || !completed || !deleted || !reassigned || !dated) throw new Error('too few tasks');
        await store().tasks.update(userId, moved.id, { projectId: other.id }, { actorId: userId, now: at(T0) });
        await store().tasks.update(userId, completed.id, { status: 'done' }, { actorId: userId, now: at(T0) });
        await store().tasks.delete(deleted.projectId, deleted.id, { now: new Date(), actorId: deleted.projectId });
        await store().tasks.update(
          reassigned.projectId,
          reassigned.id,
          { assigneeId: userId },
          { actorId: reassigned.projectId, now: at(T0) },
        );
        await store().tasks.update(
          dated.projectId,
          dated.id,
          { dueDate: at(T0 - 45 * DAY) },
          { actorId: dated.projectId, now: at(T0) },
        );
        const current = await store().tasks.list([userId, other.id], {
          filter: {},
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 100,
        });
        expect(current.items).toHaveLength(made.length - 1);

        for (let instant = T0 - 60 * DAY; instant <= T0 + 40 * DAY; instant += 7 * DAY - 5 * HOUR) {
          const now = at(instant);
          const open = current.items.filter((task) => task.status !== 'done' && task.dueDate !== null);
          const overdue = (tasks: typeof open) => tasks.filter((task) => (task.dueDate as Date) < now).length;
          const label = now.toISOString();
          expect((await store().tasks.stats([userId, other.id], { now })).overdue, label).toBe(overdue(open));
          expect((await store().tasks.stats([other.id], { now })).overdue, label).toBe(
            overdue(open.filter((task) => task.projectId === other.id)),
          );
          expect((await store().tasks.stats([userId, other.id], { now, assignee: userId })).overdue, label).toBe(
            overdue(open.filter((task) => task.assigneeId === userId)),
          );
        }
      });

      it('when a user has no tasks, then every count is zero and the 14 days are still listed', async () => {
        const userId = await newUserId();
        const stats = await store().tasks.stats([userId], { now: at(Date.UTC(2026, 0, 5, 23, 59, 59)) });
        expect(stats).toMatchObject({ total: 0, overdue: 0, dueToday: 0 });
        expect(stats.byStatus).toEqual({ todo: 0, in_progress: 0, done: 0 });
        expect(stats.byPriority).toEqual({ low: 0, medium: 0, high: 0, urgent: 0 });
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
        expect(stats.completedByDay.every((day) => day.count === 0)).toBe(true);
      });
    });

    describe('refresh tokens', () => {
      // Near the real clock and expiring in the future: MongoDB's TTL monitor deletes documents whose
      // `expiresAt` has passed in real time, which would remove long-expired fixtures mid-test.
      // Every token expires after PURGE_AT except the purge test's own, so that test counts only its tokens.
      const R0 = Math.floor(Date.now() / 1000) * 1000;
      const PURGE_AT = R0 + 10 * DAY;
      const token = (overrides: Partial<RefreshTokenRecord> = {}) => ({
        hash: randomUUID().replaceAll('-', ''),
        userId: 'ffffffffffffffffffffffff',
        familyId: randomUUID(),
        createdAt: at(R0),
        expiresAt: at(R0 + 30 * DAY),
        ...overrides,
      });

      it('when a live token is consumed, then the first call gets it and a second call reports reuse', async () => {
        const live = token();
        await store().refreshTokens.create(live);
        expect(await store().refreshTokens.consume(live.hash, at(R0 + HOUR))).toEqual({
          kind: 'consumed',
          token: { ...live, usedAt: at(R0 + HOUR), revokedAt: null },
        });
        expect(await store().refreshTokens.consume(live.hash, at(R0 + 2 * HOUR))).toEqual({
          kind: 'reused',
          token: { ...live, usedAt: at(R0 + HOUR), revokedAt: null },
        });
      });

      it('when a family is revoked, then its tokens are refused as revoked and other families still work', async () => {
        const familyId = randomUUID();
        const first = token({ familyId });
        const second = token({ familyId });
        const unrelated = token();
        for (const t of [first, second, unrelated]) await store().refreshTokens.create(t);
        await store().refreshTokens.consume(first.hash, at(R0 + 1));
        await store().refreshTokens.revokeFamily(familyId, at(R0 + HOUR));
        await store().refreshTokens.revokeFamily(familyId, at(R0 + 2 * HOUR));
        expect(await store().refreshTokens.consume(second.hash, at(R0 + 3 * HOUR))).toEqual({
          kind: 'revoked',
          token: { ...second, usedAt: null, revokedAt: at(R0 + HOUR) },
        });
        expect((await store().refreshTokens.consume(first.hash, at(R0 + 3 * HOUR))).kind).toBe('revoked');
        expect((await store().refreshTokens.consume(unrelated.hash, at(R0 + 3 * HOUR))).kind).toBe('consumed');
      });

      it('when a token has expired or was never issued, then it is refused as expired or unknown', async () => {
        const old = token({ expiresAt: at(R0 + 20 * DAY) });
        await store().refreshTokens.create(old);
        expect(await store().refreshTokens.consume(old.hash, at(R0 + 20 * DAY + 1))).toEqual({
          kind: 'expired',
          token: { ...old, usedAt: null, revokedAt: null },
        });
        expect(await store().refreshTokens.consume(randomUUID(), at(R0))).toEqual({ kind: 'unknown' });
      });

      it('when the same token is consumed concurrently, then exactly one call gets it', async () => {
        const contested = token();
        await store().refreshTokens.create(contested);
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, () => store().refreshTokens.consume(contested.hash, at(R0 + HOUR))),
        );
        expect(outcomes.filter((o) => o.kind === 'consumed')).toHaveLength(1);
        expect(outcomes.filter((o) => o.kind === 'reused')).toHaveLength(7);
      });

      it('when expired tokens are purged, then exactly those that expired before now are deleted', async () => {
        const gone = [token({ expiresAt: at(PURGE_AT - 1) }), token({ expiresAt: at(PURGE_AT - DAY / 2) })];
        const kept = [token({ expiresAt: at(PURGE_AT) }), token({ expiresAt: at(PURGE_AT + DAY) })];
        for (const t of [...gone, ...kept]) await store().refreshTokens.create(t);
        expect(await store().refreshTokens.purgeExpired(at(PURGE_AT))).toBe(2);
        for (const t of gone)
          expect(await store().refreshTokens.consume(t.hash, at(PURGE_AT))).toEqual({ kind: 'unknown' });
        expect((await store().refreshTokens.consume(kept[0]?.hash ?? '', at(PURGE_AT))).kind).toBe('expired');
        expect((await store().refreshTokens.consume(kept[1]?.hash ?? '', at(PURGE_AT))).kind).toBe('consumed');
        expect(await store().refreshTokens.purgeExpired(at(PURGE_AT))).toBe(0);
      });

      it('when every session of a user is revoked, then all their families are refused and others still work', async () => {
        const userId = await newUserId();
        const mine = [token({ userId }), token({ userId }), token({ userId })];
        const theirs = token();
        for (const t of [...mine, theirs]) await store().refreshTokens.create(t);
        await store().refreshTokens.revokeAllForUser(userId, at(R0 + HOUR));
        for (const t of mine)
          expect((await store().refreshTokens.consume(t.hash, at(R0 + 2 * HOUR))).kind).toBe('revoked');
        expect((await store().refreshTokens.consume(theirs.hash, at(R0 + 2 * HOUR))).kind).toBe('consumed');
      });
    });

    describe('one-time tokens', () => {
      // Near the real clock, like refresh tokens (MongoDB's TTL monitor runs on real time); the purge
      // test's window is its own.
      const O0 = Math.floor(Date.now() / 1000) * 1000;
      const PURGE_AT = O0 + 11 * DAY;
      const oneTime = async (overrides: Partial<NewOneTimeToken> = {}): Promise<NewOneTimeToken> => {
        const made: NewOneTimeToken = {
          hash: randomUUID().replaceAll('-', ''),
          userId: overrides.userId ?? (await newUserId()),
          purpose: 'password-reset',
          createdAt: at(O0),
          expiresAt: at(O0 + 30 * DAY),
          ...overrides,
        };
        await store().oneTimeTokens.create(made);
        return made;
      };

      it('when a token is consumed, then it answers its user once, and only for its own purpose', async () => {
        const reset = await oneTime();
        expect(await store().oneTimeTokens.consume(reset.hash, 'email-verification', at(O0 + 1))).toBeNull();
        expect(await store().oneTimeTokens.consume(reset.hash, 'password-reset', at(O0 + 1))).toBe(reset.userId);
        expect(await store().oneTimeTokens.consume(reset.hash, 'password-reset', at(O0 + 2))).toBeNull();
        expect(await store().oneTimeTokens.consume(randomUUID(), 'password-reset', at(O0))).toBeNull();
      });

      it('when a token has expired, then it is refused', async () => {
        const expired = await oneTime({ purpose: 'email-verification', expiresAt: at(O0 + 20 * DAY) });
        expect(await store().oneTimeTokens.consume(expired.hash, 'email-verification', at(O0 + 20 * DAY))).toBeNull();
      });

      it('when the same token is consumed concurrently, then exactly one call gets its user', async () => {
        const contested = await oneTime();
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, () => store().oneTimeTokens.consume(contested.hash, 'password-reset', at(O0 + 1))),
        );
        expect(outcomes.filter((outcome) => outcome === contested.userId)).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome === null)).toHaveLength(7);
      });

      it("when a user's tokens of one purpose are spent, then those stop working and the rest still do", async () => {
        const userId = await newUserId();
        const older = await oneTime({ userId });
        const newer = await oneTime({ userId });
        const verify = await oneTime({ userId, purpose: 'email-verification' });
        const someoneElse = await oneTime();
        await store().oneTimeTokens.spendAll(userId, 'password-reset', at(O0 + 1));
        expect(await store().oneTimeTokens.consume(older.hash, 'password-reset', at(O0 + 2))).toBeNull();
        expect(await store().oneTimeTokens.consume(newer.hash, 'password-reset', at(O0 + 2))).toBeNull();
        expect(await store().oneTimeTokens.consume(verify.hash, 'email-verification', at(O0 + 2))).toBe(userId);
        expect(await store().oneTimeTokens.consume(someoneElse.hash, 'password-reset', at(O0 + 2))).toBe(
          someoneElse.userId,
        );
      });

      it('when expired tokens are purged, then exactly those that expired before now are deleted', async () => {
        const gone = await oneTime({ expiresAt: at(PURGE_AT - 1) });
        const kept = await oneTime({ expiresAt: at(PURGE_AT + DAY) });
        expect(await store().oneTimeTokens.purgeExpired(at(PURGE_AT))).toBe(1);
        expect(await store().oneTimeTokens.purgeExpired(at(PURGE_AT))).toBe(0);
        expect(await store().oneTimeTokens.consume(gone.hash, 'password-reset', at(O0))).toBeNull();
        expect(await store().oneTimeTokens.consume(kept.hash, 'password-reset', at(PURGE_AT))).toBe(kept.userId);
      });
    });
    describe('projects and memberships', () => {
      const project = (name: string, color: string | null = null) => ({ name, description: '', color });

      it('when projects are created, then the list is personal first, then by name, paged without repeats', async () => {
        const userId = await newUserId();
        await store().projects.ensurePersonal(userId, at(T0 + 1));
        const names = ['beta', 'Alpha', 'gamma', 'alpha', 'Delta'];
        const created = [];
        for (const name of names) created.push(await store().projects.create(userId, project(name), at(T0)));
        expect(created[0]).toMatchObject({ name: 'beta', personal: false, role: 'owner', memberCount: 1, version: 1 });
        const all = await store().projects.listForMember(userId, { limit: 100 });
        expect(all.next).toBeNull();
        expect(all.items.map((p) => p.name)).toEqual(['Inbox', ...sortedNames(names)]);
        expect(all.items[0]).toMatchObject({ id: userId, personal: true, role: 'owner' });
        const paged: string[] = [];
        let after: ProjectCursor | undefined;
        for (let i = 0; i < 10; i += 1) {
          const page = await store().projects.listForMember(userId, { limit: 2, ...(after ? { after } : {}) });
          paged.push(...page.items.map((p) => p.id));
          if (page.next === null) break;
          after = page.next;
        }
        expect(paged).toEqual(all.items.map((p) => p.id));
      });

      it('when a project is read by a non-member or with a malformed id, then it is not found', async () => {
        const owner = await newUserId();
        const stranger = await newUserId();
        const created = await store().projects.create(owner, project('Private'), at(T0));
        expect(await store().projects.findForMember(stranger, created.id)).toBeNull();
        expect(await store().projects.findForMember(owner, 'nope')).toBeNull();
        expect(await store().projects.roleOf(stranger, created.id)).toBeNull();
        expect(await store().projects.findForMember(owner, created.id)).toEqual(created);
      });

      it('when a project is updated, then only the given fields change, guarded by the version', async () => {
        const owner = await newUserId();
        const created = await store().projects.create(owner, project('Launch', '#4f46e5'), at(T0));
        const stale = await store().projects.update(
          created.id,
          { name: 'x' },
          { actorId: created.id, expectedVersion: 2, now: at(T0 + 1) },
        );
        expect(stale).toMatchObject({ kind: 'version_mismatch', current: { version: 1, name: 'Launch' } });
        const ok = await store().projects.update(
          created.id,
          { description: 'Q3', color: null },
          { actorId: created.id, expectedVersion: 1, now: at(T0 + 5) },
        );
        expect(ok).toEqual({
          kind: 'ok',
          project: {
            id: created.id,
            name: 'Launch',
            description: 'Q3',
            color: null,
            personal: false,
            createdAt: at(T0),
            updatedAt: at(T0 + 5),
            version: 2,
          },
        });
        expect(
          await store().projects.update(
            'ffffffffffffffffffffffff',
            { name: 'x' },
            { actorId: 'ffffffffffffffffffffffff', now: at(T0) },
          ),
        ).toEqual({
          kind: 'not_found',
        });
      });

      it('when members join, change role and leave, then roles, lists and the last-owner rule hold', async () => {
        const ada = await newUserId();
        const bob = await newUserId();
        const created = await store().projects.create(ada, project('Team'), at(T0));
        const tokenHash = `hash-${randomUUID()}`;
        const invitation = await store().invitations.create({
          projectId: created.id,
          email: (await store().users.findById(bob))?.email ?? '',
          role: 'editor',
          invitedBy: ada,
          tokenHash,
          createdAt: at(T0),
          expiresAt: at(T0 + DAY),
        });
        const bobUser = await store().users.findById(bob);
        if (bobUser === null) throw new Error('no bob');
        expect(await store().invitations.accept(`hash-other`, bobUser, at(T0 + 1))).toEqual({ kind: 'not_found' });
        const pending = await store().invitations.listPending(created.id, at(T0 + 1));
        expect(pending.map((i) => i.id)).toEqual([invitation.id]);
        expect(await store().invitations.accept(tokenHash, bobUser, at(T0 + 2))).toEqual({
          kind: 'ok',
          projectId: created.id,
          role: 'editor',
        });
        expect(await store().invitations.accept(tokenHash, bobUser, at(T0 + 3))).toEqual({ kind: 'not_found' });
        expect(await store().invitations.listPending(created.id, at(T0 + 3))).toEqual([]);

        expect(await store().projects.roleOf(bob, created.id)).toBe('editor');
        expect((await store().projects.membershipsOf(bob)).map((m) => m.projectId).sort()).toEqual(
          [bob, created.id].sort(),
        );
        expect((await store().projects.memberIds(created.id)).sort()).toEqual([ada, bob].sort());
        const members = await store().projects.members(created.id);
        expect(members.map((m) => [m.user.id, m.role])).toEqual([
          [ada, 'owner'],
          [bob, 'editor'],
        ]);
        expect(members[1]?.joinedAt).toEqual(at(T0 + 2));
        expect((await store().projects.findForMember(bob, created.id))?.memberCount).toBe(2);

        expect(await store().projects.setRole(created.id, ada, 'editor', { now: at(T0), actorId: created.id })).toEqual(
          { kind: 'last_owner' },
        );
        expect(await store().projects.removeMember(created.id, ada, { now: at(T0), actorId: created.id })).toEqual({
          kind: 'last_owner',
        });
        expect(await store().projects.setRole(created.id, bob, 'owner', { now: at(T0), actorId: created.id })).toEqual({
          kind: 'ok',
        });
        expect(await store().projects.setRole(created.id, ada, 'viewer', { now: at(T0), actorId: created.id })).toEqual(
          { kind: 'ok' },
        );
        expect(await store().projects.roleOf(ada, created.id)).toBe('viewer');
        expect(
          await store().projects.setRole(created.id, 'ffffffffffffffffffffffff', 'viewer', {
            now: at(T0),
            actorId: created.id,
          }),
        ).toEqual({
          kind: 'not_found',
        });

        const assigned = await store().tasks.create(created.id, ada, newTask({ assigneeId: ada }), at(T0));
        const other = await store().tasks.create(created.id, ada, newTask({ assigneeId: bob }), at(T0));
        expect(
          await store().projects.removeMember(created.id, ada, { now: at(T0 + HOUR), actorId: created.id }),
        ).toEqual({ kind: 'ok' });
        expect(await store().projects.roleOf(ada, created.id)).toBeNull();
        expect(await store().tasks.findById(assigned.id)).toMatchObject({
          assigneeId: null,
          createdBy: ada,
          version: 2,
          updatedAt: at(T0 + HOUR),
        });
        expect(await store().tasks.findById(other.id)).toEqual(other);
        expect(await store().projects.removeMember(created.id, ada, { now: at(T0), actorId: created.id })).toEqual({
          kind: 'not_found',
        });
      });

      it('when an invitation is sent again, revoked or expired, then only the newest pending one can be accepted', async () => {
        const owner = await newUserId();
        const invitee = await newUserId();
        const user = await store().users.findById(invitee);
        if (user === null) throw new Error('no invitee');
        const created = await store().projects.create(owner, project('Invites'), at(T0));
        const send = (hash: string, createdAt: number, expiresAt: number) =>
          store().invitations.create({
            projectId: created.id,
            email: user.email.toUpperCase(),
            role: 'viewer',
            invitedBy: owner,
            tokenHash: hash,
            createdAt: at(createdAt),
            expiresAt: at(expiresAt),
          });
        const first = `first-${randomUUID()}`;
        const second = `second-${randomUUID()}`;
        await send(first, T0, T0 + DAY);
        const replacing = await send(second, T0 + 1, T0 + DAY);
        expect(replacing).toMatchObject({ email: user.email, role: 'viewer', invitedBy: { id: owner } });
        expect((await store().invitations.listPending(created.id, at(T0 + 2))).map((i) => i.id)).toEqual([
          replacing.id,
        ]);
        expect(await store().invitations.accept(first, user, at(T0 + 2))).toEqual({ kind: 'not_found' });
        // Someone else holding the token is refused, and the invitation stays pending.
        const stranger = await store().users.findById(await newUserId());
        if (stranger === null) throw new Error('no stranger');
        expect(await store().invitations.accept(second, stranger, at(T0 + 2))).toEqual({ kind: 'not_found' });
        expect(await store().invitations.listPending(created.id, at(T0 + 2))).toHaveLength(1);
        // Expired: not listed, not accepted.
        expect(await store().invitations.listPending(created.id, at(T0 + DAY))).toEqual([]);
        expect(await store().invitations.accept(second, user, at(T0 + DAY))).toEqual({ kind: 'not_found' });
        // Revoked.
        const third = `third-${randomUUID()}`;
        const revocable = await send(third, T0 + 5, T0 + 2 * DAY);
        expect(await store().invitations.revoke(created.id, revocable.id, at(T0 + 6))).toBe(true);
        expect(await store().invitations.revoke(created.id, revocable.id, at(T0 + 7))).toBe(false);
        expect(await store().invitations.accept(third, user, at(T0 + 8))).toEqual({ kind: 'not_found' });
        expect(await store().projects.roleOf(invitee, created.id)).toBeNull();
      });

      it('when a project is deleted, then its tasks, members and invitations go with it', async () => {
        const owner = await newUserId();
        const member = await newUserId();
        const created = await store().projects.create(owner, project('Doomed'), at(T0));
        const memberUser = await store().users.findById(member);
        if (memberUser === null) throw new Error('no member');
        await store().invitations.create({
          projectId: created.id,
          email: memberUser.email,
          role: 'editor',
          invitedBy: owner,
          tokenHash: `doomed-${randomUUID()}`,
          createdAt: at(T0),
          expiresAt: at(T0 + DAY),
        });
        const kept = await store().tasks.create(owner, owner, newTask({ tags: ['x'] }), at(T0));
        const task = await store().tasks.create(created.id, owner, newTask({ tags: ['x'], title: 'gone' }), at(T0));
        expect(
          await store().projects.delete(created.id, { now: new Date(), actorId: created.id, expectedVersion: 9 }),
        ).toMatchObject({
          kind: 'version_mismatch',
        });
        expect(
          await store().projects.delete(created.id, { now: new Date(), actorId: created.id, expectedVersion: 1 }),
        ).toEqual({ kind: 'ok' });
        expect(await store().projects.findForMember(owner, created.id)).toBeNull();
        expect(await store().projects.memberIds(created.id)).toEqual([]);
        expect(await store().invitations.listPending(created.id, at(T0))).toEqual([]);
        expect(await store().tasks.findById(task.id)).toBeNull();
        expect(await store().tasks.findById(kept.id)).toEqual(kept);
        expect((await store().tasks.stats([created.id], { now: at(T0) })).total).toBe(0);
        expect(await store().projects.delete(created.id, { now: new Date(), actorId: created.id })).toEqual({
          kind: 'not_found',
        });
      });
    });

    describe('tasks across projects', () => {
      let ada: string;
      let bob: string;
      let shared: string;
      let side: string;
      const tasks: TaskRecord[] = [];

      beforeAll(async () => {
        ada = await newUserId();
        bob = await newUserId();
        shared = (await store().projects.create(ada, { name: 'Shared', description: '', color: null }, at(T0))).id;
        side = (await store().projects.create(ada, { name: 'Side', description: '', color: null }, at(T0))).id;
        const projects = [ada, shared, side];
        for (let i = 0; i < 45; i += 1) {
          const projectId = projects[i % 3] as string;
          const assigneeId = projectId === ada ? null : ([null, ada, bob][i % 3 === 1 ? (i % 2) + 1 : 0] ?? null);
          tasks.push(
            await store().tasks.create(
              projectId,
              ada,
              newTask({
                title: `Item ${(i * 7) % 45}`,
                status: TASK_STATUSES[i % 3] as TaskStatus,
                priority: TASK_PRIORITIES[(i * 5) % 4],
                dueDate: i % 4 === 0 ? null : at(T0 + ((i % 9) - 4) * HOUR),
                tags: i % 6 === 0 ? ['six'] : [],
                assigneeId,
              }),
              at(T0 + ((i * 11) % 45) * 60_000),
            ),
          );
        }
      });

      it('when tasks of several projects are listed, then every sort pages through all of them in order', async () => {
        const scope = [ada, shared, side];
        for (const sort of ALL_SORTS) {
          expect(idsOf(await walk(scope, sort, 7)), sortName(sort)).toEqual(sortedIds(tasks, sort));
        }
        const filters: [TaskFilter, (task: TaskRecord) => boolean][] = [
          [{ status: ['todo', 'done'] }, (task) => task.status !== 'in_progress'],
          [{ priority: ['high'], tag: 'six' }, (task) => task.priority === 'high' && task.tags.includes('six')],
          [
            { dueBefore: at(T0), dueAfter: at(T0 - 3 * HOUR) },
            (task) => task.dueDate !== null && task.dueDate <= at(T0) && task.dueDate >= at(T0 - 3 * HOUR),
          ],
          [{ q: 'item' }, () => true],
        ];
        for (const [filter, keep] of filters) {
          const expected = tasks.filter(keep);
          for (const sort of ALL_SORTS) {
            expect(idsOf(await walk(scope, sort, 4, filter)), `${JSON.stringify(filter)} ${sortName(sort)}`).toEqual(
              sortedIds(expected, sort),
            );
          }
        }
        const two = tasks.filter((task) => task.projectId !== ada);
        expect(idsOf(await walk([shared, side], ALL_SORTS[0] as TaskSort, 4))).toEqual(
          sortedIds(two, ALL_SORTS[0] as TaskSort),
        );
      });

      it('when an assignee is named, then only their tasks come, in order, across projects', async () => {
        const scope = [ada, shared, side];
        for (const [assignee, label] of [
          [ada, 'ada'],
          [bob, 'bob'],
          [null, 'unassigned'],
        ] as const) {
          const expected = tasks.filter((task) => task.assigneeId === assignee);
          expect(expected.length, label).toBeGreaterThan(0);
          for (const sort of ALL_SORTS) {
            expect(idsOf(await walk(scope, sort, 3, { assignee })), `${label} ${sortName(sort)}`).toEqual(
              sortedIds(expected, sort),
            );
          }
          const tagged = expected.filter((task) => task.tags.includes('six'));
          expect(idsOf(await walk(scope, ALL_SORTS[1] as TaskSort, 2, { assignee, tag: 'six' }))).toEqual(
            sortedIds(tagged, ALL_SORTS[1] as TaskSort),
          );
          const words = expected.filter((task) => /\bitem\b/i.test(task.title));
          expect(idsOf(await walk(scope, ALL_SORTS[0] as TaskSort, 5, { assignee, q: 'item' }))).toEqual(
            sortedIds(words, ALL_SORTS[0] as TaskSort),
          );
        }
      });

      it('when stats cover several projects or one assignee, then they count exactly those tasks', async () => {
        const all = await store().tasks.stats([ada, shared, side], { now: at(T0) });
        expect(all.total).toBe(tasks.length);
        expect(all.byStatus.done).toBe(tasks.filter((task) => task.status === 'done').length);
        const bobs = await store().tasks.stats([ada, shared, side], { assignee: bob, now: at(T0) });
        const expected = tasks.filter((task) => task.assigneeId === bob);
        expect(bobs.total).toBe(expected.length);
        expect(bobs.overdue).toBe(
          expected.filter((task) => task.status !== 'done' && task.dueDate !== null && task.dueDate < at(T0)).length,
        );
        const open = (await store().projects.findForMember(ada, shared))?.openTaskCount;
        expect(open).toBe(tasks.filter((task) => task.projectId === shared && task.status !== 'done').length);
        const none = await store().tasks.stats([shared], { assignee: null, now: at(T0) });
        expect(none.total).toBe(tasks.filter((task) => task.projectId === shared && task.assigneeId === null).length);
      });

      it('when a task moves to another project, then lists, tags and stats follow it, and the old scope misses it', async () => {
        const target = await store().projects.create(ada, { name: 'Target', description: '', color: null }, at(T0));
        const moving = await store().tasks.create(shared, ada, newTask({ tags: ['moving'], assigneeId: ada }), at(T0));
        const outcome = await store().tasks.update(
          shared,
          moving.id,
          { projectId: target.id, assigneeId: null },
          { actorId: shared, now: at(T0 + 1), expectedVersion: 1 },
        );
        expect(outcome).toMatchObject({ kind: 'ok', task: { projectId: target.id, assigneeId: null, version: 2 } });
        expect(
          await store().tasks.update(shared, moving.id, { title: 'x' }, { actorId: shared, now: at(T0 + 2) }),
        ).toEqual({
          kind: 'not_found',
        });
        expect(await store().tasks.delete(shared, moving.id, { now: new Date(), actorId: shared })).toEqual({
          kind: 'not_found',
        });
        const inTarget = await store().tasks.list([target.id], {
          filter: { tag: 'moving' },
          sort: ALL_SORTS[0] as TaskSort,
          limit: 10,
        });
        expect(idsOf(inTarget.items)).toEqual([moving.id]);
        const inShared = await store().tasks.list([shared], {
          filter: { tag: 'moving' },
          sort: ALL_SORTS[0] as TaskSort,
          limit: 10,
        });
        expect(inShared.items).toEqual([]);
        expect((await store().tasks.stats([target.id], { now: at(T0) })).total).toBe(1);
        expect((await store().tasks.stats([shared], { assignee: ada, now: at(T0) })).total).toBe(
          tasks.filter((task) => task.projectId === shared && task.assigneeId === ada).length,
        );
      });

      it('when no project is in scope, then the list and stats are empty', async () => {
        expect(await store().tasks.list([], { filter: {}, sort: ALL_SORTS[0] as TaskSort, limit: 5 })).toEqual({
          items: [],
          next: null,
        });
      });
    });

    describe('idempotency keys', () => {
      const LEASE = 10_000;
      const claimOf = async (userId: string, key: string, fingerprint: string, now: number) =>
        store().idempotency.claim({ userId, key, fingerprint, now: at(now), leaseMs: LEASE });
      const claimed = async (userId: string, key: string, fingerprint: string, now: number) => {
        const outcome = await claimOf(userId, key, fingerprint, now);
        if (outcome.kind !== 'claimed') throw new Error(`expected a claim, got ${outcome.kind}`);
        return outcome.claim;
      };
      const answer = (task: TaskRecord): StoredResponse => ({
        status: 201,
        headers: { ETag: `"${task.id}-${task.version}"` },
        body: { id: task.id, title: task.title },
      });

      it('when a keyed create commits, then its response is kept with it: a repeat replays it, another request is refused, a repeat in flight waits', async () => {
        const userId = await newUserId();
        const key = `create-${randomUUID()}`;
        const claim = await claimed(userId, key, 'fp-1', T0);
        expect(await claimOf(userId, key, 'fp-1', T0 + 10)).toEqual({ kind: 'in_flight', retryAfterMs: LEASE - 10 });
        expect(await claimOf(userId, key, 'fp-2', T0 + 10)).toEqual({ kind: 'mismatch' });
        const task = await store().tasks.create(userId, userId, newTask({ title: 'Once' }), at(T0 + 20), {
          claim,
          respond: answer,
        });
        expect(await claimOf(userId, key, 'fp-1', T0 + 30)).toEqual({ kind: 'replay', response: answer(task) });
        // Long after the lease, the kept answer still replays; another user's key of the same name is theirs.
        expect(await claimOf(userId, key, 'fp-1', T0 + 10 * LEASE)).toMatchObject({ kind: 'replay' });
        const other = await newUserId();
        expect((await claimOf(other, key, 'fp-1', T0 + 40)).kind).toBe('claimed');
      });

      it('when an attempt dies before committing, then after its lease a retry takes the key over and the late attempt writes nothing', async () => {
        const userId = await newUserId();
        const key = `takeover-${randomUUID()}`;
        const first = await claimed(userId, key, 'fp', T0);
        const { head } = await store().changes.bounds();
        const second = await claimed(userId, key, 'fp', T0 + LEASE + 1);
        expect(second.token).not.toBe(first.token);
        await expect(
          store().tasks.create(userId, userId, newTask({ title: 'Late' }), at(T0 + LEASE + 2), {
            claim: first,
            respond: answer,
          }),
        ).rejects.toBeInstanceOf(ClaimLost);
        expect((await store().changes.bounds()).head).toBe(head);
        const titles = (await walk(userId, { field: 'createdAt', direction: 'desc' }, 50)).map((task) => task.title);
        expect(titles).not.toContain('Late');
        const task = await store().tasks.create(userId, userId, newTask({ title: 'Retried' }), at(T0 + LEASE + 3), {
          claim: second,
          respond: answer,
        });
        expect(await claimOf(userId, key, 'fp', T0 + LEASE + 4)).toEqual({ kind: 'replay', response: answer(task) });
      });

      it('when keyed updates, deletes and project creations commit, then each keeps its answer; a refused write keeps none', async () => {
        const userId = await newUserId();
        const task = await store().tasks.create(userId, userId, newTask({ title: 'Edit me' }), at(T0));
        const patchClaim = await claimed(userId, `patch-${randomUUID()}`, 'fp', T0 + 1);
        const stale = await store().tasks.update(
          userId,
          task.id,
          { title: 'No' },
          { actorId: userId, now: at(T0 + 2), expectedVersion: 99, idempotent: { claim: patchClaim, respond: answer } },
        );
        expect(stale.kind).toBe('version_mismatch');
        expect(await claimOf(userId, patchClaim.key, 'fp', T0 + 3)).toMatchObject({ kind: 'in_flight' });
        const edited = await store().tasks.update(
          userId,
          task.id,
          { title: 'Edited' },
          { actorId: userId, now: at(T0 + 4), idempotent: { claim: patchClaim, respond: answer } },
        );
        if (edited.kind !== 'ok') throw new Error(edited.kind);
        expect(await claimOf(userId, patchClaim.key, 'fp', T0 + 5)).toEqual({
          kind: 'replay',
          response: answer(edited.task),
        });

        const deleteClaim = await claimed(userId, `delete-${randomUUID()}`, 'fp', T0 + 6);
        const gone = { status: 204, headers: {}, body: null };
        await store().tasks.delete(userId, task.id, {
          actorId: userId,
          now: at(T0 + 7),
          idempotent: { claim: deleteClaim, respond: () => gone },
        });
        expect(await claimOf(userId, deleteClaim.key, 'fp', T0 + 8)).toEqual({ kind: 'replay', response: gone });

        const projectClaim = await claimed(userId, `project-${randomUUID()}`, 'fp', T0 + 9);
        const project = await store().projects.create(
          userId,
          { name: 'Keyed', description: '', color: null },
          at(T0 + 10),
          { claim: projectClaim, respond: (view) => ({ status: 201, headers: {}, body: { id: view.id } }) },
        );
        expect(await claimOf(userId, projectClaim.key, 'fp', T0 + 11)).toEqual({
          kind: 'replay',
          response: { status: 201, headers: {}, body: { id: project.id } },
        });
      });

      it('when a claim is settled or released, then a repeat replays the settled answer or runs again', async () => {
        const userId = await newUserId();
        const settledClaim = await claimed(userId, `settle-${randomUUID()}`, 'fp', T0);
        const problem = { status: 412, headers: { ETag: '"x"' }, body: { status: 412 } };
        await store().idempotency.settle(settledClaim, problem);
        expect(await claimOf(userId, settledClaim.key, 'fp', T0 + 1)).toEqual({ kind: 'replay', response: problem });
        // A settled answer is never replaced by a later settle.
        await store().idempotency.settle(settledClaim, { status: 200, headers: {}, body: null });
        expect(await claimOf(userId, settledClaim.key, 'fp', T0 + 2)).toEqual({ kind: 'replay', response: problem });

        const released = await claimed(userId, `release-${randomUUID()}`, 'fp', T0);
        await store().idempotency.release(released);
        expect((await claimOf(userId, released.key, 'fp', T0 + 1)).kind).toBe('claimed');
      });

      it('when a kept answer is 24 hours old, then the key is free again and pruning removes it', async () => {
        const userId = await newUserId();
        const key = `old-${randomUUID()}`;
        const claim = await claimed(userId, key, 'fp', T0);
        await store().idempotency.settle(claim, { status: 204, headers: {}, body: null });
        expect((await claimOf(userId, key, 'other', T0 + DAY - 1)).kind).toBe('mismatch');
        expect((await claimOf(userId, key, 'other', T0 + DAY)).kind).toBe('claimed');
        const stale = `stale-${randomUUID()}`;
        await claimed(userId, stale, 'fp', T0);
        expect(await store().idempotency.prune(at(T0 + DAY))).toBeGreaterThanOrEqual(1);
        expect((await claimOf(userId, stale, 'fp2', T0 + 1)).kind).toBe('claimed');
      });
    });

    describe('the change log', () => {
      const project = (name: string) => ({ name, description: '', color: null });
      /** A user in a team project with a second member, joined through an invitation. */
      async function team() {
        const ada = await newUserId();
        const bob = await newUserId();
        const created = await store().projects.create(ada, project('Log'), at(T0));
        const bobUser = await store().users.findById(bob);
        if (bobUser === null) throw new Error('no bob');
        const tokenHash = `hash-${randomUUID()}`;
        await store().invitations.create({
          projectId: created.id,
          email: bobUser.email,
          role: 'editor',
          invitedBy: ada,
          tokenHash,
          createdAt: at(T0),
          expiresAt: at(T0 + DAY),
        });
        await store().invitations.accept(tokenHash, bobUser, at(T0 + 1));
        return { ada, bob, projectId: created.id };
      }
      const all = (userId: string, projectIds: readonly string[], since = 0) =>
        store().changes.listFor(userId, projectIds, since, 100);

      it('when a task is created, changed, moved and deleted, then each version has exactly one change, in order', async () => {
        const { ada, bob, projectId } = await team();
        const { head: start } = await store().changes.bounds();
        const task = await store().tasks.create(projectId, ada, newTask({ title: 'Plan', tags: ['a'] }), at(T0 + 2));
        await store().tasks.update(
          projectId,
          task.id,
          { status: 'done', tags: ['a', 'b'] },
          { actorId: bob, now: at(T0 + 3) },
        );
        // A refused write records nothing.
        const stale = await store().tasks.update(
          projectId,
          task.id,
          { title: 'x' },
          { actorId: bob, now: at(T0 + 4), expectedVersion: 1 },
        );
        expect(stale.kind).toBe('version_mismatch');
        await store().tasks.update(projectId, task.id, { projectId: ada }, { actorId: ada, now: at(T0 + 5) });
        await store().tasks.delete(ada, task.id, { actorId: ada, now: at(T0 + 6), expectedVersion: 3 });

        const changes = (await all(ada, [projectId, ada], start)).filter((change) => change.entityId === task.id);
        expect(changes.map((change) => [change.type, change.version, change.projectId, change.actorId])).toEqual([
          ['task.created', 1, projectId, ada],
          ['task.updated', 2, projectId, bob],
          ['task.updated', 3, ada, ada],
          ['task.deleted', 4, ada, ada],
        ]);
        expect(changes[1]?.fields).toEqual([
          { field: 'status', from: 'todo', to: 'done' },
          { field: 'tags', from: ['a'], to: ['a', 'b'] },
        ]);
        expect(changes[2]?.fields).toEqual([{ field: 'projectId', from: projectId, to: ada }]);
        expect(changes[1]?.at).toEqual(at(T0 + 3));
        const seqs = changes.map((change) => change.seq);
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
        expect((await store().changes.bounds()).head).toBeGreaterThanOrEqual(seqs.at(-1) ?? 0);

        // Bob stays in the team project only: he still learns that the task moved out of it.
        const bobs = (await all(bob, [projectId], start)).filter((change) => change.entityId === task.id);
        expect(bobs.map((change) => change.version)).toEqual([1, 2, 3]);

        const history = await store().changes.forTask(task.id, { limit: 2 });
        expect(history.map((change) => change.version)).toEqual([4, 3]);
        const older = await store().changes.forTask(task.id, { limit: 10, before: history[1]?.seq ?? 0 });
        expect(older.map((change) => change.version)).toEqual([2, 1]);
      });

      it("when listed after a position with a limit, then each change comes once, oldest first, only from the caller's projects", async () => {
        const { ada, projectId } = await team();
        const stranger = await newUserId();
        const { head: start } = await store().changes.bounds();
        for (let i = 0; i < 7; i += 1) {
          await store().tasks.create(i % 2 === 0 ? projectId : stranger, ada, newTask({ title: `t${i}` }), at(T0));
        }
        const seen: number[] = [];
        let since = start;
        for (let page = 0; page < 10; page += 1) {
          const batch = await store().changes.listFor(ada, [projectId], since, 2);
          if (batch.length === 0) break;
          seen.push(...batch.map((change) => change.seq));
          since = batch.at(-1)?.seq ?? since;
        }
        const mine = (await all(ada, [projectId], start)).map((change) => change.seq);
        expect(seen).toEqual(mine);
        expect(mine).toHaveLength(4);
        expect(new Set(seen).size).toBe(seen.length);
        expect((await all(stranger, [stranger], start)).every((change) => change.projectId === stranger)).toBe(true);
      });

      it("when members change, then the changes carry the members version; a removed member and a deleted project's members are told", async () => {
        const { ada, bob, projectId } = await team();
        const task = await store().tasks.create(projectId, ada, newTask({ assigneeId: bob }), at(T0 + 2));
        const { head: start } = await store().changes.bounds();
        await store().projects.setRole(projectId, bob, 'viewer', { actorId: ada, now: at(T0 + 3) });
        await store().projects.removeMember(projectId, bob, { actorId: ada, now: at(T0 + 4) });
        const changes = await all(ada, [projectId], start);
        expect(changes.map((change) => [change.type, change.entityId])).toEqual([
          ['member.updated', bob],
          ['member.removed', bob],
          ['task.updated', task.id],
        ]);
        expect(changes[0]?.fields).toEqual([{ field: 'role', from: 'editor', to: 'viewer' }]);
        expect(changes[1]?.version).toBeGreaterThan(changes[0]?.version ?? Infinity);
        expect(changes[2]).toMatchObject({ version: 2, fields: [{ field: 'assigneeId', from: bob, to: null }] });
        expect((await store().tasks.findById(task.id))?.version).toBe(2);
        // Bob is no member any more, yet his removal reaches him.
        expect((await all(bob, [bob], start)).map((change) => change.type)).toEqual(['member.removed']);

        await store().projects.delete(projectId, { actorId: ada, now: at(T0 + 5) });
        const deleted = (await all(ada, [ada], start)).filter((change) => change.projectId === projectId);
        expect(deleted.map((change) => change.type)).toEqual(['project.deleted']);
      });

      it('when a task is moved on the board, then its change names the new position and column', async () => {
        const userId = await newUserId();
        const first = await store().tasks.create(userId, userId, newTask({ title: 'first' }), at(T0));
        const second = await store().tasks.create(userId, userId, newTask({ title: 'second' }), at(T0 + 1));
        const { head } = await store().changes.bounds();
        const moved = await store().tasks.move(
          userId,
          second.id,
          { status: 'in_progress' },
          { actorId: userId, now: at(T0 + 2) },
        );
        expect(moved.kind).toBe('ok');
        await store().tasks.move(userId, first.id, { status: 'todo' }, { actorId: userId, now: at(T0 + 3) });
        const changes = await all(userId, [userId], head);
        expect(changes.map((change) => [change.entityId, change.version])).toEqual([
          [second.id, 2],
          [first.id, 2],
        ]);
        expect(changes[0]?.fields.map((change) => change.field)).toEqual(['status', 'position']);
        expect(changes[0]?.fields[0]).toEqual({ field: 'status', from: 'todo', to: 'in_progress' });
      });

      it('when old changes are pruned, then what is kept is one unbroken run up to the newest', async () => {
        const userId = await newUserId();
        // Later than every change the other tests recorded (some at the real time): all of them go first.
        const base = Date.now() + 365 * DAY;
        await store().changes.prune(at(base));
        expect((await store().changes.bounds()).oldest).toBeNull();
        for (let i = 0; i < 5; i += 1) {
          await store().tasks.create(userId, userId, newTask({ title: `old ${i}` }), at(base + DAY + i));
        }
        for (let i = 0; i < 3; i += 1) {
          await store().tasks.create(userId, userId, newTask({ title: `new ${i}` }), at(base + 10 * DAY + i));
        }
        const before = await store().changes.bounds();
        expect(await store().changes.prune(at(base + 5 * DAY))).toBe(5);
        const after = await store().changes.bounds();
        expect(after.head).toBe(before.head);
        expect(after.oldest).toBe(before.head - 2);
        expect((await all(userId, [userId])).map((change) => change.seq)).toEqual([
          before.head - 2,
          before.head - 1,
          before.head,
        ]);
      });
    });

    describe('notifications', () => {
      const notification = (userId: string, key: string, createdAt: number): NewNotification => ({
        userId,
        type: 'assigned',
        key,
        actorId: null,
        task: { id: 'ffffffffffffffffffffffff', title: 'Plan', projectId: userId },
        project: { id: userId, name: 'Inbox' },
        createdAt: at(createdAt),
        mail: 'none',
      });

      it('when the same event is added twice, then it is stored once and the second add says so', async () => {
        const userId = await newUserId();
        const key = `assigned:${randomUUID()}`;
        const [first] = await store().notifications.add([notification(userId, key, T0)]);
        expect(first?.created).toBe(true);
        expect(first?.notification).toMatchObject({ userId, key, type: 'assigned', readAt: null, mail: 'none' });
        expect(first?.notification.task).toEqual({ id: 'ffffffffffffffffffffffff', title: 'Plan', projectId: userId });
        const again = await store().notifications.add([
          notification(userId, key, T0 + 1),
          notification(userId, `${key}:other`, T0 + 2),
        ]);
        expect(again.map((entry) => entry.created)).toEqual([false, true]);
        expect(again[0]?.notification.id).toBe(first?.notification.id);
        const page = await store().notifications.list(userId, { unread: false, limit: 10 });
        expect(page.items.map((item) => item.key)).toEqual([`${key}:other`, key]);
      });

      it('when listed in pages and marked read, then pages run newest first and the unread count follows', async () => {
        const userId = await newUserId();
        const other = await newUserId();
        const prefix = randomUUID();
        await store().notifications.add(
          Array.from({ length: 5 }, (_, i) => notification(userId, `${prefix}:${i}`, T0 + i)),
        );
        const [foreign] = await store().notifications.add([notification(other, `${prefix}:other`, T0)]);
        expect(await store().notifications.unreadCount(userId)).toBe(5);

        const first = await store().notifications.list(userId, { unread: false, limit: 2 });
        expect(first.items.map((item) => item.key)).toEqual([`${prefix}:4`, `${prefix}:3`]);
        expect(first.next).toBe(first.items[1]?.id);
        const rest = await store().notifications.list(userId, { unread: false, limit: 10, after: first.next ?? '' });
        expect(rest.items.map((item) => item.key)).toEqual([`${prefix}:2`, `${prefix}:1`, `${prefix}:0`]);
        expect(rest.next).toBeNull();

        // Another user's id is ignored, not marked.
        await store().notifications.markRead(
          userId,
          { ids: [first.items[0]?.id ?? '', foreign?.notification.id ?? ''] },
          at(T0 + 10),
        );
        expect(await store().notifications.unreadCount(userId)).toBe(4);
        expect(await store().notifications.unreadCount(other)).toBe(1);
        const unread = await store().notifications.list(userId, { unread: true, limit: 10 });
        expect(unread.items.map((item) => item.key)).toEqual([
          `${prefix}:3`,
          `${prefix}:2`,
          `${prefix}:1`,
          `${prefix}:0`,
        ]);
        const read = await store().notifications.list(userId, { unread: false, limit: 1 });
        expect(read.items[0]?.readAt).toEqual(at(T0 + 10));

        await store().notifications.markRead(userId, { all: true }, at(T0 + 11));
        expect(await store().notifications.unreadCount(userId)).toBe(0);
        expect((await store().notifications.list(userId, { unread: true, limit: 10 })).items).toEqual([]);
        // Marking again keeps the first time it was read.
        await store().notifications.markRead(userId, { all: true }, at(T0 + 12));
        expect((await store().notifications.list(userId, { unread: false, limit: 1 })).items[0]?.readAt).toEqual(
          at(T0 + 10),
        );
      });

      it('when a notification waits for mail, then it is listed as pending until its outcome is recorded', async () => {
        const userId = await newUserId();
        const key = `mail:${randomUUID()}`;
        const [added] = await store().notifications.add([{ ...notification(userId, key, T0), mail: 'pending' }]);
        const id = added?.notification.id ?? '';
        const pendingIds = async () => (await store().notifications.pendingMail(1000)).map((item) => item.id);
        expect(await pendingIds()).toContain(id);
        await store().notifications.setMail(id, 'sent');
        expect(await pendingIds()).not.toContain(id);
        // A settled outcome is final.
        await store().notifications.setMail(id, 'failed');
        expect((await store().notifications.list(userId, { unread: false, limit: 1 })).items[0]?.mail).toBe('sent');
      });
    });

    describe('background work', () => {
      it('when reminders fall due, then they are listed soonest first from a position and settled once', async () => {
        const userId = await newUserId();
        // After every reminder other tests schedule: this test reads from `base` on.
        const base = Date.now() + 400 * DAY;
        const after = { due: at(base), taskId: '' };
        const tasks = [];
        for (const offset of [3, 1, 2]) {
          tasks.push(
            await store().tasks.create(
              userId,
              userId,
              newTask({ title: `r${offset}`, remindAt: at(base + offset * HOUR) }),
              at(T0),
            ),
          );
        }
        const done = await store().tasks.create(
          userId,
          userId,
          newTask({ title: 'done', status: 'done', remindAt: at(base + HOUR) }),
          at(T0),
        );
        const due = async (before: number, limit = 10) =>
          (await store().jobs.pendingReminders(at(before), limit, after)).map((entry) => [
            entry.task.title,
            entry.due.getTime(),
          ]);
        expect(await due(base + 2 * HOUR + 1)).toEqual([
          ['r1', base + HOUR],
          ['r2', base + 2 * HOUR],
        ]);
        const firstPage = await store().jobs.pendingReminders(at(base + 4 * HOUR), 1, after);
        const next = firstPage[0];
        expect(next?.task.title).toBe('r1');
        const secondPage = await store().jobs.pendingReminders(at(base + 4 * HOUR), 5, {
          due: next?.due ?? at(0),
          taskId: next?.task.id ?? '',
        });
        expect(secondPage.map((entry) => entry.task.title)).toEqual(['r2', 'r3']);
        expect(secondPage.map((entry) => entry.task.id)).not.toContain(done.id);

        const r1 = tasks[1];
        if (r1 === undefined) throw new Error('no r1');
        // Settling with another instant (a rescheduled reminder) leaves it; the right one settles once.
        expect(await store().jobs.settleReminder(r1.id, at(base))).toBe(false);
        expect(await store().jobs.settleReminder(r1.id, at(base + HOUR))).toBe(true);
        expect(await store().jobs.settleReminder(r1.id, at(base + HOUR))).toBe(false);
        expect(await due(base + 4 * HOUR)).toEqual([
          ['r2', base + 2 * HOUR],
          ['r3', base + 3 * HOUR],
        ]);
        // The task itself is untouched by delivery.
        expect(await store().tasks.findById(r1.id)).toMatchObject({ version: 1, remindAt: at(base + HOUR) });

        // Rescheduling makes it due again; completing cancels; reopening revives a future one.
        await store().tasks.update(userId, r1.id, { remindAt: at(base + 5 * HOUR) }, { actorId: userId, now: at(T0) });
        await store().tasks.update(userId, tasks[0]?.id ?? '', { status: 'done' }, { actorId: userId, now: at(T0) });
        expect(await due(base + 6 * HOUR)).toEqual([
          ['r2', base + 2 * HOUR],
          ['r1', base + 5 * HOUR],
        ]);
        await store().tasks.update(userId, tasks[0]?.id ?? '', { status: 'todo' }, { actorId: userId, now: at(T0) });
        expect((await due(base + 6 * HOUR)).map(([title]) => title)).toEqual(['r2', 'r3', 'r1']);
        await store().tasks.delete(userId, r1.id, { actorId: userId, now: at(T0) });
        expect((await due(base + 6 * HOUR)).map(([title]) => title)).toEqual(['r2', 'r3']);
      });

      it('when the reminders of some tasks are asked for, then only theirs still pending before the instant come back', async () => {
        const userId = await newUserId();
        const base = Date.now() + 500 * DAY;
        const create = (title: string, remindAt: number | null, status: 'todo' | 'done' = 'todo') =>
          store().tasks.create(
            userId,
            userId,
            newTask({ title, status, remindAt: remindAt === null ? null : at(remindAt) }),
            at(T0),
          );
        const soon = await create('soon', base + HOUR);
        const late = await create('late', base + 5 * HOUR);
        const none = await create('none', null);
        const done = await create('done', base + HOUR, 'done');
        const other = await create('other', base + HOUR);
        const ids = [soon.id, late.id, none.id, done.id, 'not-an-id'];
        const of = async (before: number) =>
          (await store().jobs.remindersOf(ids, at(before)))
            .map((entry) => [entry.task.title, entry.due.getTime()])
            .sort();
        expect(await of(base + 2 * HOUR)).toEqual([['soon', base + HOUR]]);
        expect(await of(base + 6 * HOUR)).toEqual([
          ['late', base + 5 * HOUR],
          ['soon', base + HOUR],
        ]);
        expect(await store().jobs.settleReminder(soon.id, at(base + HOUR))).toBe(true);
        expect(await of(base + 6 * HOUR)).toEqual([['late', base + 5 * HOUR]]);
        expect(await store().jobs.remindersOf([], at(base + 6 * HOUR))).toEqual([]);
        expect((await store().jobs.remindersOf([other.id], at(base + 2 * HOUR)))[0]?.task.id).toBe(other.id);
      });

      it('when a cursor is saved, then it is read back and never moves backwards', async () => {
        const name = `consumer-${randomUUID()}`;
        expect(await store().jobs.cursor(name)).toBeNull();
        await store().jobs.saveCursor(name, 10);
        expect(await store().jobs.cursor(name)).toBe(10);
        await store().jobs.saveCursor(name, 7);
        expect(await store().jobs.cursor(name)).toBe(10);
        await store().jobs.saveCursor(name, 12);
        expect(await store().jobs.cursor(name)).toBe(12);
      });

      it('when the next occurrence of a task is asked for several times at once, then exactly one is created, with its change', async () => {
        const userId = await newUserId();
        const previous = await store().tasks.create(
          userId,
          userId,
          newTask({ title: 'Water plants', recurrence: { rule: 'FREQ=WEEKLY', from: 'due' }, dueDate: at(T0) }),
          at(T0),
        );
        const { head } = await store().changes.bounds();
        const input = newTask({
          title: 'Water plants',
          recurrence: { rule: 'FREQ=WEEKLY', from: 'due' },
          dueDate: at(T0 + 7 * DAY),
        });
        const outcomes = await Promise.all(
          [0, 1, 2, 3].map(() => store().tasks.createNext(previous, input, userId, at(T0 + 1))),
        );
        const created = outcomes.filter((task): task is TaskRecord => task !== null);
        expect(created).toHaveLength(1);
        expect(created[0]).toMatchObject({
          projectId: userId,
          createdBy: userId,
          title: 'Water plants',
          dueDate: at(T0 + 7 * DAY),
          version: 1,
        });
        expect(await store().tasks.createNext(previous, input, userId, at(T0 + 2))).toBeNull();
        const changes = (await store().changes.listFor(userId, [userId], head, 100)).filter(
          (change) => change.type === 'task.created',
        );
        expect(changes.map((change) => change.entityId)).toEqual([created[0]?.id]);
      });
    });
  });
}
