import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, migrateSqlite } from '../../src/storage/sqlite/migrations.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { EVERY_ASSIGNEE, STATS_SQL, dueTodaySql } from '../../src/storage/sqlite/sqlite-tasks.repository.js';
import { MEMBERSHIP_SQL } from '../../src/storage/sqlite/sqlite-projects.repository.js';
import {
  MATCH_LIST_MAX,
  SORT_COLUMN,
  listTasksSql,
  type ListPhase,
} from '../../src/storage/sqlite/sqlite-task-list.js';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import type { Storage } from '../../src/storage/storage.js';
import { compareTasks } from '../../src/tasks/task.model.js';
import type { NewTask, TaskRecord, TaskSort } from '../../src/tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_SORT_FIELDS, TASK_STATUSES } from '../../src/tasks/task.model.js';
import { openTempSqliteStorage } from '../helpers/storage.js';
import { describeRepositoryContract } from './repository-contract.js';

describeRepositoryContract('sqlite', async () => {
  const { storage, cleanup } = await openTempSqliteStorage();
  return { storage, cleanup };
});

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/open-sqlite.child.ts', import.meta.url));
const LATEST = Math.max(...SQLITE_MIGRATIONS.map((migration) => migration.version));
const NOW = new Date(Date.UTC(2026, 2, 15, 10));
const SORT_INDEX: Record<string, string> = {
  created_at: 'tasks_project_created',
  updated_at: 'tasks_project_updated',
  due_date: 'tasks_project_due',
  priority_rank: 'tasks_project_priority',
  title_key: 'tasks_project_title',
  board_key: 'tasks_project_position',
};

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

describe('sqlite storage', () => {
  let dir: string;
  let file: string;
  const opened: { close(): unknown }[] = [];
  const open = (busyTimeoutMs?: number): Storage => {
    const storage = openSqliteStorage({ file, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
    opened.push(storage);
    return storage;
  };
  const raw = (): Database.Database => {
    const db = new Database(file);
    opened.push(db);
    return db;
  };
  const newUser = async (storage: Storage) => {
    const user = await storage.users.create(
      { email: `${Math.random()}@example.test`, name: 'U', passwordHash: 'h' },
      NOW,
    );
    if (user === null) throw new Error('user not created');
    await storage.projects.ensurePersonal(user.id, NOW);
    return user.id;
  };
  const search = async (storage: Storage, userId: string, q: string) =>
    (await storage.tasks.list([userId], { filter: { q }, sort: { field: 'createdAt', direction: 'desc' }, limit: 50 }))
      .items;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'primo-sqlite-'));
    file = path.join(dir, 'nested', 'primo.db');
    await mkdir(path.dirname(file), { recursive: true });
  });
  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when the store is closed and opened again, then its data is still there', async () => {
    file = path.join(dir, 'not', 'yet', 'created', 'primo.db');
    const first = open();
    const userId = await newUser(first);
    const created = await first.tasks.create(userId, userId, task({ title: 'Persist me', tags: ['keep'] }), NOW);
    await first.close();
    const second = open();
    expect(await second.users.findById(userId)).not.toBeNull();
    expect(await second.tasks.findById(created.id)).toEqual(created);
    expect(
      (
        await second.tasks.list([userId], {
          filter: { tag: 'keep', q: 'persist' },
          sort: { field: 'title', direction: 'asc' },
          limit: 5,
        })
      ).items,
    ).toEqual([created]);
  });

  it('when tasks are created, changed and deleted, then the kept counts match a full count, also when rebuilt by the migrations', async () => {
    const storage = open();
    const userId = await newUser(storage);
    const DAY = 86_400_000;
    const ids: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const dueDate = i % 4 === 0 ? null : new Date(NOW.getTime() + ((i % 9) - 5) * DAY + (i % 5) * 3_600_000);
      const created = await storage.tasks.create(
        userId,
        userId,
        task({ status: TASK_STATUSES[i % 3], priority: TASK_PRIORITIES[i % 4], dueDate }),
        new Date(NOW.getTime() - (i % 13) * DAY),
      );
      ids.push(created.id);
    }
    for (const [i, id] of ids.entries()) {
      const at = new Date(NOW.getTime() - (i % 11) * DAY);
      if (i % 5 === 0) await storage.tasks.delete(userId, id, { now: new Date(), actorId: userId });
      else if (i % 3 === 0)
        await storage.tasks.update(userId, id, { status: 'done', priority: 'urgent' }, { actorId: userId, now: at });
      else if (i % 7 === 0)
        await storage.tasks.update(
          userId,
          id,
          { status: 'todo', dueDate: new Date(NOW.getTime() - 2 * DAY) },
          { actorId: userId, now: at },
        );
      else if (i % 4 === 1) await storage.tasks.update(userId, id, { dueDate: null }, { actorId: userId, now: at });
    }
    const db = raw();
    /** The same figures counted from every task row. */
    const fullCount = () => {
      const rows = db
        .prepare(
          'SELECT status, priority_rank AS rank, due_date AS due, completed_at AS done FROM tasks WHERE project_id = ?',
        )
        .all(userId) as { status: string; rank: number; due: number | null; done: number | null }[];
      const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0]));
      const byPriority = Object.fromEntries(TASK_PRIORITIES.map((p) => [p, 0]));
      const endOfDay = Math.floor(NOW.getTime() / DAY) * DAY + DAY;
      const firstDay = Math.floor(NOW.getTime() / DAY) - 13;
      const byDay = new Map<number, number>();
      let overdue = 0;
      let dueToday = 0;
      for (const row of rows) {
        byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
        const priority = TASK_PRIORITIES[row.rank] ?? 'low';
        byPriority[priority] = (byPriority[priority] ?? 0) + 1;
        if (row.status !== 'done' && row.due !== null && row.due < NOW.getTime()) overdue += 1;
        if (row.status !== 'done' && row.due !== null && row.due >= NOW.getTime() && row.due < endOfDay) dueToday += 1;
        if (row.done !== null) byDay.set(Math.floor(row.done / DAY), (byDay.get(Math.floor(row.done / DAY)) ?? 0) + 1);
      }
      const completedByDay = Array.from({ length: 14 }, (_, k) => ({
        date: new Date((firstDay + k) * DAY).toISOString().slice(0, 10),
        count: byDay.get(firstDay + k) ?? 0,
      }));
      return { total: rows.length, byStatus, byPriority, overdue, dueToday, completedByDay };
    };
    const expected = fullCount();
    expect(expected.overdue).toBeGreaterThan(0);
    expect(expected.completedByDay.some((day) => day.count > 0)).toBe(true);
    expect(await storage.tasks.stats([userId], { now: NOW })).toEqual(expected);
  });

  describe('the projects migration (version 5)', () => {
    const DAY = 86_400_000;
    const beforeProjects = SQLITE_MIGRATIONS.filter((migration) => migration.version <= 4);
    const projectsStep = SQLITE_MIGRATIONS.find((migration) => migration.version === 5);

    /** A version-4 database with two users and their tasks, written as that schema stores them. */
    function versionFourDb(): { ada: string; bob: string; taskIds: string[] } {
      const db = raw();
      migrateSqlite(db, beforeProjects);
      const ada = 'aaaaaaaaaaaaaaaaaaaaaaaa';
      const bob = 'bbbbbbbbbbbbbbbbbbbbbbbb';
      const insertUser = db.prepare(
        'INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      insertUser.run(ada, 'ada@example.test', 'Ada', 'h', NOW.getTime() - 30 * DAY);
      insertUser.run(bob, 'bob@example.test', 'Bob', 'h', NOW.getTime() - 20 * DAY);
      const insertTask = db.prepare(
        `INSERT INTO tasks (id, user_id, title, title_key, description, status, priority_rank, due_date, tags,
                            created_at, updated_at, completed_at, version)
         VALUES (@id, @user, @title, x'00', '', @status, @rank, @due, @tags, @at, @at, @done, 1)`,
      );
      const insertTag = db.prepare('INSERT INTO task_tags (task_seq, user_id, tag) VALUES (?, ?, ?)');
      const taskIds: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        const id = (i + 1).toString(16).padStart(24, 'c');
        const status = TASK_STATUSES[i % 3] ?? 'todo';
        const at = NOW.getTime() - (i % 10) * DAY;
        const { lastInsertRowid } = insertTask.run({
          id,
          user: i % 3 === 0 ? bob : ada,
          title: `legacy task ${i}`,
          status,
          rank: i % 4,
          due: i % 2 === 0 ? NOW.getTime() + ((i % 7) - 3) * DAY : null,
          tags: JSON.stringify(i % 5 === 0 ? ['old'] : []),
          at,
          done: status === 'done' ? at : null,
        });
        if (i % 5 === 0) insertTag.run(lastInsertRowid, i % 3 === 0 ? bob : ada, 'old');
        taskIds.push(id);
      }
      db.close();
      return { ada, bob, taskIds };
    }

    it('when a version-4 database opens, then every task is in its owner’s Inbox with its tags, words and counts', async () => {
      const { ada, bob, taskIds } = versionFourDb();
      const legacy = raw();
      const before = legacy.prepare('SELECT id, user_id, status FROM tasks ORDER BY id').all() as {
        id: string;
        user_id: string;
        status: string;
      }[];
      legacy.close();
      const storage = open();
      for (const userId of [ada, bob]) {
        const projects = await storage.projects.listForMember(userId, { limit: 10 });
        expect(projects.items.map((p) => [p.id, p.name, p.personal, p.role, p.memberCount])).toEqual([
          [userId, 'Inbox', true, 'owner', 1],
        ]);
        const mine = before.filter((row) => row.user_id === userId);
        const stats = await storage.tasks.stats([userId], { now: NOW });
        expect(stats.total).toBe(mine.length);
        expect(stats.byStatus.done).toBe(mine.filter((row) => row.status === 'done').length);
        const listed = await storage.tasks.list([userId], {
          filter: {},
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 100,
        });
        expect(listed.items.map((task) => task.id).sort()).toEqual(mine.map((row) => row.id).sort());
        const tagged = await storage.tasks.list([userId], {
          filter: { tag: 'old', q: 'legacy' },
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 100,
        });
        expect(tagged.items.length).toBeGreaterThan(0);
        expect(tagged.items.every((task) => task.tags.includes('old'))).toBe(true);
      }
      const first = await storage.tasks.findById(taskIds[1] ?? '');
      expect(first).toMatchObject({ projectId: ada, createdBy: ada, assigneeId: null, version: 1 });
    });

    it('when the migration fails halfway, then nothing of it is kept and the next open completes it', async () => {
      const { ada } = versionFourDb();
      if (projectsStep === undefined) throw new Error('no migration 5');
      const db = raw();
      const broken = [...beforeProjects, { ...projectsStep, sql: `${projectsStep.sql}\nSELECT no_such_function();` }];
      expect(() => migrateSqlite(db, broken)).toThrow(/no_such_function/);
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'projects'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM tasks WHERE user_id = ?').get(ada)).toEqual({ n: 20 });
      const storage = open();
      expect((await storage.tasks.stats([ada], { now: NOW })).total).toBe(20);
    });
  });

  describe('the day-counts migrations (versions 6 and 13)', () => {
    const DAY = 86_400_000;
    const untilProjects = SQLITE_MIGRATIONS.filter((migration) => migration.version <= 5);

    it('when a version-5 database opens, then stats are unchanged and the counts match the tasks', async () => {
      const db = raw();
      migrateSqlite(db, untilProjects);
      const ada = 'aaaaaaaaaaaaaaaaaaaaaaaa';
      db.prepare('INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        ada,
        'ada@example.test',
        'Ada',
        'h',
        NOW.getTime() - 300 * DAY,
      );
      db.prepare(
        `INSERT INTO projects (id, name, name_key, description, color, personal, created_at, updated_at, version)
         VALUES (?, 'Inbox', '', '', NULL, 1, ?, ?, 1)`,
      ).run(ada, NOW.getTime(), NOW.getTime());
      db.prepare("INSERT INTO memberships (project_id, user_id, role, joined_at) VALUES (?, ?, 'owner', ?)").run(
        ada,
        ada,
        NOW.getTime(),
      );
      const insertTask = db.prepare(
        `INSERT INTO tasks (id, project_id, created_by, assignee_id, title, title_key, description, status,
                            priority_rank, due_date, tags, created_at, updated_at, completed_at, version)
         VALUES (@id, @project, @project, @assignee, @title, x'00', '', @status, 1, @due, '[]', @at, @at, @done, 1)`,
      );
      for (let i = 0; i < 120; i += 1) {
        const status = TASK_STATUSES[i % 3] ?? 'todo';
        const at = NOW.getTime() - (i % 40) * DAY;
        insertTask.run({
          id: (i + 1).toString(16).padStart(24, 'c'),
          project: ada,
          assignee: i % 4 === 0 ? ada : null,
          title: `task ${i}`,
          status,
          due: i % 5 === 4 ? null : NOW.getTime() + ((i * 7) % 150) * DAY - 100 * DAY,
          at,
          done: status === 'done' ? at : null,
        });
      }
      const instants = [-45, -20, -3, 0, 1, 17, 40].map((days) => new Date(NOW.getTime() + days * DAY));
      const expectedOverdue = instants.map(
        (now) =>
          (
            db
              .prepare("SELECT count(*) AS n FROM tasks WHERE status <> 'done' AND due_date < ?")
              .get(now.getTime()) as { n: number }
          ).n,
      );
      const completions = db
        .prepare('SELECT completed_at FROM tasks WHERE completed_at IS NOT NULL')
        .pluck()
        .all() as number[];
      db.close();

      const storage = open();
      let completedSeen = 0;
      for (const [i, now] of instants.entries()) {
        const stats = await storage.tasks.stats([ada], { now });
        expect(stats.overdue, now.toISOString()).toBe(expectedOverdue[i]);
        expect(stats.total).toBe(120);
        const completedOn = (date: string) =>
          completions.filter((at) => new Date(at).toISOString().slice(0, 10) === date).length;
        expect(stats.completedByDay).toEqual(
          stats.completedByDay.map(({ date }) => ({ date, count: completedOn(date) })),
        );
        completedSeen += stats.completedByDay.reduce((sum, day) => sum + day.count, 0);
      }
      expect(completedSeen).toBeGreaterThan(0);
      await storage.close();
      const migrated = raw();
      expect(migrated.pragma('user_version', { simple: true })).toBe(LATEST);
      const mismatches = (sql: string) => migrated.prepare(sql).all();
      expect(
        mismatches(`SELECT b.block FROM task_due_blocks AS b WHERE b.n <> (
          SELECT count(*) FROM tasks AS t WHERE t.project_id = b.project_id AND t.status <> 'done'
            AND t.due_date / ${DAY} / 32 = b.block AND b.assignee IN (coalesce(t.assignee_id, ''), '*'))`),
      ).toEqual([]);
      expect(
        mismatches(`SELECT t.project_id FROM task_due_totals AS t WHERE t.n <> (
          SELECT count(*) FROM tasks AS k WHERE k.project_id = t.project_id AND k.status <> 'done'
            AND k.due_date IS NOT NULL AND t.assignee IN (coalesce(k.assignee_id, ''), '*'))`),
      ).toEqual([]);
      for (const weekDay of [0, 1, 2, 3, 4, 5, 6]) {
        expect(
          mismatches(`SELECT w.week FROM task_done_weeks AS w WHERE w.d${weekDay} <> (
            SELECT count(*) FROM tasks AS t WHERE t.project_id = w.project_id
              AND t.completed_at / ${DAY} = w.week * 7 + ${weekDay} AND w.assignee IN (coalesce(t.assignee_id, ''), '*'))`),
        ).toEqual([]);
      }
      migrated.close();
    });
  });

  describe('the board-order migration (version 8)', () => {
    const beforeBoard = SQLITE_MIGRATIONS.filter((migration) => migration.version <= 5);

    it('when tasks exist before board order, then each column is numbered in the default order, newest first, and new tasks follow', async () => {
      const db = raw();
      migrateSqlite(db, beforeBoard);
      const project = 'aaaaaaaaaaaaaaaaaaaaaaaa';
      const other = 'bbbbbbbbbbbbbbbbbbbbbbbb';
      const insertProject = db.prepare(
        `INSERT INTO projects (id, name, name_key, description, color, personal, created_at, updated_at, version)
         VALUES (?, 'P', 'p', '', NULL, 0, 0, 0, 1)`,
      );
      insertProject.run(project);
      insertProject.run(other);
      const insertTask = db.prepare(
        `INSERT INTO tasks (id, project_id, created_by, title, title_key, description, status, priority_rank, tags,
                            created_at, updated_at, version)
         VALUES (@id, @project, @project, @title, x'00', '', @status, 1, '[]', @at, @at, 1)`,
      );
      const statuses = ['todo', 'done', 'todo', 'in_progress', 'todo', 'done', 'todo'] as const;
      for (const [i, status] of statuses.entries()) {
        // Two tasks share a creation time: the id breaks the tie, as in the default list order.
        const at = NOW.getTime() + Math.min(i, 5) * 1000;
        insertTask.run({ id: (i + 1).toString(16).padStart(24, 'c'), project, title: `t${i}`, status, at });
      }
      insertTask.run({ id: 'd'.repeat(24), project: other, title: 'other', status: 'todo', at: NOW.getTime() });
      db.close();

      const storage = open();
      const boardOf = async (projectId: string) =>
        (
          await storage.tasks.list([projectId], {
            filter: {},
            sort: { field: 'position', direction: 'asc' },
            limit: 50,
          })
        ).items;
      const board = await boardOf(project);
      const byDefault = (
        await storage.tasks.list([project], { filter: {}, sort: { field: 'createdAt', direction: 'desc' }, limit: 50 })
      ).items;
      for (const status of TASK_STATUSES) {
        const column = board.filter((task) => task.status === status);
        expect(column.map((task) => task.id)).toEqual(
          byDefault.filter((task) => task.status === status).map((task) => task.id),
        );
        expect(column.map((task) => task.position)).toEqual(column.map((_, i) => `d000${i}`));
      }
      expect(board.map((task) => task.status)).toEqual(['todo', 'todo', 'todo', 'todo', 'in_progress', 'done', 'done']);
      expect((await boardOf(other)).map((task) => task.position)).toEqual(['d0000']);
      const created = await storage.tasks.create(project, project, task({ title: 'new' }), NOW);
      expect((await boardOf(project)).filter((t) => t.status === 'todo').at(-1)?.id).toBe(created.id);
      expect(created.position > 'd0003').toBe(true);
    });
  });

  it('when the store is opened again, then no migration runs twice and the schema is at the newest version', async () => {
    await open().close();
    const db = raw();
    const schema = () => db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    const before = schema();
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(migrateSqlite(db)).toEqual({ from: LATEST, to: LATEST });
    await open().close();
    expect(schema()).toEqual(before);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('when a new migration is added, then only it is applied on the next open', () => {
    const db = raw();
    const extra = [
      ...SQLITE_MIGRATIONS,
      { version: LATEST + 1, name: 'probe', sql: 'CREATE TABLE probe (x INTEGER) STRICT;' },
    ];
    expect(migrateSqlite(db)).toEqual({ from: 0, to: LATEST });
    expect(migrateSqlite(db, extra)).toEqual({ from: LATEST, to: LATEST + 1 });
    expect(migrateSqlite(db, extra)).toEqual({ from: LATEST + 1, to: LATEST + 1 });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'probe'").get()).toEqual({ n: 1 });
  });

  it('when a migration fails, then none of its changes stay and the version is unchanged', () => {
    const db = raw();
    migrateSqlite(db);
    const broken = [
      ...SQLITE_MIGRATIONS,
      { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE half (y INTEGER);' },
    ];
    expect(() => migrateSqlite(db, broken)).toThrow(/already exists/);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'").get()).toEqual({ n: 0 });
  });

  it('when the file was written by a newer build, then opening fails naming both versions', () => {
    const db = raw();
    db.pragma(`user_version = ${LATEST + 5}`);
    expect(() => open()).toThrow(`schema version ${LATEST + 5}, newer than this build knows (${LATEST})`);
  });

  it('when several processes open a new file at once, then each succeeds and the schema is created once', async () => {
    const emails = ['p1@example.test', 'p2@example.test', 'p3@example.test'];
    const outputs = await Promise.all(
      emails.map((email) => run(process.execPath, ['--import', 'tsx', CHILD, file, email], { timeout: 20_000 })),
    );
    const ids = outputs.map(({ stdout }) => (JSON.parse(stdout) as { userId: string | null }).userId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(3);
    const storage = open();
    for (const email of emails) expect(await storage.users.findByEmail(email)).not.toBeNull();
    expect(raw().pragma('user_version', { simple: true })).toBe(LATEST);
  });

  it('when another connection holds an exclusive lock, then writes fail within the busy timeout, reads go on, and writes resume after release', async () => {
    const storage = open(300);
    const userId = await newUser(storage);
    const existing = await storage.tasks.create(userId, userId, task({ title: 'before lock' }), NOW);
    await storage.refreshTokens.create({
      hash: 'h-lock',
      userId,
      familyId: 'f',
      createdAt: NOW,
      expiresAt: new Date(NOW.getTime() + 60_000),
    });
    const locker = raw();
    locker.exec('BEGIN EXCLUSIVE');

    const writes: [string, () => Promise<unknown>][] = [
      ['tasks.create', () => storage.tasks.create(userId, userId, task({ title: 'during lock' }), NOW)],
      [
        'tasks.update',
        () => storage.tasks.update(userId, existing.id, { title: 'changed' }, { actorId: userId, now: NOW }),
      ],
      ['tasks.delete', () => storage.tasks.delete(userId, existing.id, { now: new Date(), actorId: userId })],
      ['users.create', () => storage.users.create({ email: 'locked@example.test', name: 'L', passwordHash: 'h' }, NOW)],
      ['refreshTokens.consume', () => storage.refreshTokens.consume('h-lock', NOW)],
    ];
    for (const [name, write] of writes) {
      const started = performance.now();
      const error = await write().then(
        () => null,
        (reason: unknown) => reason,
      );
      const elapsed = performance.now() - started;
      expect(error, name).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).retryAfterSeconds, name).toBeGreaterThan(0);
      expect(elapsed, name).toBeGreaterThanOrEqual(250);
      expect(elapsed, name).toBeLessThan(1500);
    }

    expect(await storage.tasks.findById(existing.id)).toEqual(existing);
    expect(
      (await storage.tasks.list([userId], { filter: {}, sort: { field: 'createdAt', direction: 'desc' }, limit: 10 }))
        .items,
    ).toEqual([existing]);
    expect((await storage.tasks.stats([userId], { now: NOW })).total).toBe(1);
    expect(await storage.ping()).toBe(true);

    locker.exec('COMMIT');
    const after = await storage.tasks.create(userId, userId, task({ title: 'after lock' }), NOW);
    const titles = (
      await storage.tasks.list([userId], { filter: {}, sort: { field: 'title', direction: 'asc' }, limit: 10 })
    ).items.map((t) => t.title);
    expect(titles).toEqual(['after lock', 'before lock']);
    expect((await storage.refreshTokens.consume('h-lock', NOW)).kind).toBe('consumed');
    expect(after.version).toBe(1);
  });

  it('when a task is renamed, re-described or deleted, then the full-text index follows', async () => {
    const storage = open();
    const userId = await newUser(storage);
    const created = await storage.tasks.create(
      userId,
      userId,
      task({ title: 'alpha bravo', description: 'charlie' }),
      NOW,
    );
    expect(await search(storage, userId, 'alpha')).toHaveLength(1);
    await storage.tasks.update(userId, created.id, { title: 'delta' }, { actorId: userId, now: NOW });
    expect(await search(storage, userId, 'alpha')).toHaveLength(0);
    expect(await search(storage, userId, 'delta charlie')).toHaveLength(1);
    await storage.tasks.update(
      userId,
      created.id,
      { description: 'echo', status: 'done' },
      { actorId: userId, now: NOW },
    );
    expect(await search(storage, userId, 'charlie')).toHaveLength(0);
    expect(await search(storage, userId, 'echo delta')).toHaveLength(1);
    const check = raw().prepare("INSERT INTO tasks_fts (tasks_fts, rank) VALUES ('integrity-check', 1)");
    check.run();
    await storage.tasks.delete(userId, created.id, { now: new Date(), actorId: userId });
    expect(await search(storage, userId, 'delta')).toHaveLength(0);
    expect(await search(storage, userId, 'echo')).toHaveLength(0);
    check.run();
  });

  it('when searching, then words match as prefixes, without diacritics, and quotes or operators are plain text', async () => {
    const storage = open();
    const userId = await newUser(storage);
    const cafe = await storage.tasks.create(
      userId,
      userId,
      task({ title: 'Café meeting', description: 'bring NOTES' }),
      NOW,
    );
    // Each of these holds only words of the task, whatever FTS5 syntax surrounds them.
    for (const q of ['cafe', 'CAFÉ', 'meet', 'caf meet', 'note', 'café"*', '"cafe" -meeting', '(cafe) meeting^']) {
      expect(idsOf(await search(storage, userId, q)), q).toEqual([cafe.id]);
    }
    // Operators and column filters are words too, so these ask for words the task lacks.
    for (const q of ['eting', 'cafe zzz', 'cafe OR zzz', 'title: cafe', 'NEAR(cafe meeting)', '"', '*', '()']) {
      expect(await search(storage, userId, q), q).toEqual([]);
    }
  });

  it('when a search matches few or many tasks, then every sort pages through exactly its matches, in order', async () => {
    const storage = open();
    const userId = await newUser(storage);
    const neighbour = await newUser(storage);
    // "many" matches more tasks than the match-list path takes, "few" fewer: the two ways a search is read.
    const mine: TaskRecord[] = [];
    for (let i = 0; i < MATCH_LIST_MAX + 40; i += 1) {
      const words = i % 20 === 0 ? 'many few' : 'many';
      mine.push(
        await storage.tasks.create(
          userId,
          userId,
          task({
            title: `${words} ${i % 7}`,
            priority: TASK_PRIORITIES[i % 4],
            dueDate: i % 3 === 0 ? null : new Date(NOW.getTime() + (i % 11) * 3_600_000),
          }),
          new Date(NOW.getTime() + i),
        ),
      );
      if (i % 10 === 0) await storage.tasks.create(neighbour, neighbour, task({ title: 'few many' }), NOW);
    }
    for (const q of ['many', 'few']) {
      const matching = mine.filter((t) => t.title.split(' ').includes(q));
      for (const sort of [
        { field: 'createdAt', direction: 'desc' },
        { field: 'title', direction: 'asc' },
        { field: 'dueDate', direction: 'asc' },
        { field: 'dueDate', direction: 'desc' },
        { field: 'priority', direction: 'desc' },
      ] satisfies TaskSort[]) {
        const ids: string[] = [];
        let after: { key: number | string | null; id: string } | undefined;
        do {
          const page = await storage.tasks.list([userId], {
            filter: { q },
            sort,
            limit: 25,
            ...(after ? { after } : {}),
          });
          ids.push(...idsOf(page.items));
          after = page.next ?? undefined;
        } while (after !== undefined && ids.length <= matching.length);
        const label = `${q}: ${sort.direction} ${sort.field}`;
        expect(ids, label).toEqual(idsOf([...matching].sort((a, b) => compareTasks(a, b, sort))));
      }
    }
  });

  it('when titles hold characters beyond the basic plane, then the title sort still agrees with compareTasks', async () => {
    const storage = open();
    const userId = await newUser(storage);
    const created: TaskRecord[] = [];
    for (const title of ['\u{1F600} smile', '\uFF21 wide', 'a plain', 'Z last ascii', '\u{1F600}', '\uFF41 wide']) {
      created.push(await storage.tasks.create(userId, userId, task({ title }), NOW));
    }
    for (const direction of ['asc', 'desc'] as const) {
      const sort: TaskSort = { field: 'title', direction };
      const expected = idsOf([...created].sort((a, b) => compareTasks(a, b, sort)));
      const ids: string[] = [];
      let after: { key: number | string | null; id: string } | undefined;
      do {
        const page = await storage.tasks.list([userId], { filter: {}, sort, limit: 1, ...(after ? { after } : {}) });
        ids.push(...idsOf(page.items));
        after = page.next ?? undefined;
      } while (after !== undefined && ids.length <= created.length);
      expect(ids, direction).toEqual(expected);
    }
  });

  it('when two connections share the file, then each sees the other’s writes and a token is consumed once', async () => {
    const a = open();
    const b = open();
    const userId = await newUser(a);
    expect(await b.users.findById(userId)).not.toBeNull();
    const created = await b.tasks.create(userId, userId, task({ title: 'shared' }), NOW);
    expect(await a.tasks.findById(created.id)).toEqual(created);
    await a.refreshTokens.create({
      hash: 'shared',
      userId,
      familyId: 'f',
      createdAt: NOW,
      expiresAt: new Date(NOW.getTime() + 1000),
    });
    const outcomes = await Promise.all([a, b, a, b].map((s) => s.refreshTokens.consume('shared', NOW)));
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['consumed', 'reused', 'reused', 'reused']);
  });

  it('when the store is closed, then ping answers false and calls fail as unavailable', async () => {
    const storage = open();
    expect(await storage.ping()).toBe(true);
    await storage.close();
    expect(await storage.ping()).toBe(false);
    await expect(storage.users.findByEmail('x@example.test')).rejects.toBeInstanceOf(StoreUnavailableError);
    await storage.close();
  });

  describe('query plans', () => {
    const planOf = (db: Database.Database, sql: string, params: Record<string, unknown>) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((row) => row.detail);
    const baseParams = {
      projectId: 'ffffffffffffffffffffffff',
      projects: '["ffffffffffffffffffffffff","eeeeeeeeeeeeeeeeeeeeeeee"]',
      assignee: null,
      unassigned: 0,
      statuses: null,
      ranks: null,
      tag: null,
      match: null,
      seqs: null,
      dueBefore: null,
      dueAfter: null,
      limit: 21,
      key: 1,
      id: 'ffffffffffffffffffffffff',
    };

    /** A populated, analysed store, so that the planner decides with real statistics. */
    async function analysedDb() {
      const storage = open();
      const userId = await newUser(storage);
      for (let i = 0; i < 300; i += 1) {
        await storage.tasks.create(
          userId,
          userId,
          task({
            title: `task ${i % 37}`,
            status: TASK_STATUSES[i % 3],
            priority: TASK_PRIORITIES[i % 4],
            dueDate: i % 4 === 0 ? null : new Date(NOW.getTime() + (i % 50) * 3_600_000),
            tags: i % 5 === 0 ? ['rare'] : ['common'],
          }),
          new Date(NOW.getTime() + i),
        );
      }
      const db = raw();
      db.exec('ANALYZE');
      return { db, userId };
    }

    const mainTableStep = (plan: string[]) => plan.find((detail) => /^(SEARCH|SCAN) t\b/.test(detail)) ?? '';

    it('when any sort is listed, first page or after a cursor, then its index serves the order with no temporary sort', async () => {
      const { db, userId } = await analysedDb();
      for (const field of TASK_SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          const phases: ListPhase[] = field === 'dueDate' ? ['keyed', 'undated'] : ['keyed'];
          for (const phase of phases) {
            for (const after of [false, true]) {
              const sort: TaskSort = { field, direction };
              const plan = planOf(db, listTasksSql(sort, phase, after), { ...baseParams, projectId: userId });
              const label = `${direction} ${field} ${phase} ${after ? 'after' : 'first'}: ${plan.join(' | ')}`;
              expect(plan.join(' | '), label).not.toMatch(/TEMP B-TREE/);
              expect(mainTableStep(plan), label).toMatch(
                new RegExp(`^SEARCH t USING (COVERING )?INDEX ${SORT_INDEX[SORT_COLUMN[field]]} \\(project_id=\\?`),
              );
              // A merged list reads only positions from each project's index: nothing but the index.
              const keys = planOf(db, listTasksSql(sort, phase, after, 'keys'), { ...baseParams, projectId: userId });
              expect(keys.join(' | '), `keys ${label}`).not.toMatch(/TEMP B-TREE/);
              expect(mainTableStep(keys), `keys ${label}`).toMatch(
                new RegExp(`^SEARCH t USING COVERING INDEX ${SORT_INDEX[SORT_COLUMN[field]]} \\(project_id=\\?`),
              );
              // One assignee's tasks across projects walk that assignee's sort index the same way.
              const assigned = planOf(db, listTasksSql(sort, phase, after, 'assigned'), {
                ...baseParams,
                projects: JSON.stringify([userId]),
                assignee: userId,
              });
              const assignedLabel = `assigned ${label}: ${assigned.join(' | ')}`;
              expect(assigned.join(' | '), assignedLabel).not.toMatch(/TEMP B-TREE/);
              expect(mainTableStep(assigned), assignedLabel).toMatch(
                new RegExp(
                  `^SEARCH t USING INDEX ${SORT_INDEX[SORT_COLUMN[field]]?.replace('project', 'assignee')} \\(assignee_id=\\?`,
                ),
              );
            }
          }
        }
      }
    });

    it('when a search is read from its match list, then each match is one rowid lookup, whatever the sort', async () => {
      const { db, userId } = await analysedDb();
      for (const field of TASK_SORT_FIELDS) {
        for (const after of [false, true]) {
          const sort: TaskSort = { field, direction: 'desc' };
          const sql = listTasksSql(sort, 'keyed', after, 'matches');
          const plan = planOf(db, sql, { ...baseParams, projectId: userId, match: '"task"*', seqs: '[1, 2, 3]' });
          const label = `${field} ${after ? 'after' : 'first'}: ${plan.join(' | ')}`;
          expect(plan[0], label).toMatch(/^SCAN m VIRTUAL TABLE/);
          expect(mainTableStep(plan), label).toMatch(/^SEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\)/);
        }
      }
    });

    it('when stats count the tasks due today, then the status index answers alone unless an assignee is named', async () => {
      const { db, userId } = await analysedDb();
      const startOfDay = Math.floor(NOW.getTime() / 86_400_000) * 86_400_000;
      const params = {
        projects: JSON.stringify([userId]),
        now: NOW.getTime(),
        startOfDay,
        endOfDay: startOfDay + 86_400_000,
      };
      const plan = (sql: string, extra: object = {}) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, ...extra }) as { detail: string }[])
          .map((row) => row.detail)
          .join(' | ');
      expect(plan(dueTodaySql(false))).toMatch(/SEARCH tasks USING COVERING INDEX tasks_project_status/);
      expect(plan(dueTodaySql(true), { assignee: '' })).toMatch(/SEARCH tasks USING INDEX tasks_project_status/);
    });

    it('when stats sum the kept counts, then each table is read as one key range per project', async () => {
      const { db, userId } = await analysedDb();
      const day = Math.floor(NOW.getTime() / 86_400_000);
      const plan = (sql: string, params: object) =>
        (
          db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ projects: JSON.stringify([userId]), ...params }) as {
            detail: string;
          }[]
        )
          .map((row) => row.detail)
          .join(' | ');
      for (const assignee of [null, userId]) {
        expect(plan(STATS_SQL.counts, { assignee })).toMatch(/SEARCH task_counts USING PRIMARY KEY \(project_id=\?\)/);
      }
      for (const assignee of [EVERY_ASSIGNEE, userId]) {
        for (const kind of ['added', 'subtracted'] as const) {
          const overdue = plan(STATS_SQL.overdueBeforeToday(kind), {
            assignee,
            fromBlock: 1,
            dayFrom: day,
            dayTo: day + 5,
          });
          expect(overdue).toMatch(/SEARCH task_due_totals USING PRIMARY KEY \(project_id=\? AND assignee=\?\)/);
          expect(overdue).toMatch(
            /SEARCH task_due_blocks USING PRIMARY KEY \(project_id=\? AND assignee=\? AND block>\?\)/,
          );
          expect(overdue).toMatch(
            /SEARCH task_due_days USING PRIMARY KEY \(project_id=\? AND assignee=\? AND day>\? AND day<\?\)/,
          );
        }
        expect(plan(STATS_SQL.completedByWeek, { assignee, fromWeek: 1, toWeek: 3 })).toMatch(
          /SEARCH task_done_weeks USING PRIMARY KEY \(project_id=\? AND assignee=\? AND week>\? AND week<\?\)/,
        );
      }
    });

    it('when memberships are looked up by project or by user, then an index answers each lookup', async () => {
      const { db } = await analysedDb();
      const plan = (sql: string, params: unknown) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
          .map((row) => row.detail)
          .join(' | ');
      const id = 'ffffffffffffffffffffffff';
      expect(plan(MEMBERSHIP_SQL.roleOf, { projectId: id, userId: id })).toMatch(
        /SEARCH memberships USING PRIMARY KEY \(project_id=\? AND user_id=\?\)/,
      );
      expect(plan(MEMBERSHIP_SQL.membershipsOf, id)).toMatch(
        /SEARCH memberships USING COVERING INDEX memberships_user \(user_id=\?\)/,
      );
      expect(plan(MEMBERSHIP_SQL.memberIdsOf, id)).toMatch(/SEARCH memberships USING PRIMARY KEY \(project_id=\?\)/);
    });

    it('when the default sort is combined with each filter, then the sort index still drives the query', async () => {
      const { db, userId } = await analysedDb();
      const filters: Record<string, unknown>[] = [
        {},
        { statuses: JSON.stringify(['done']) },
        { ranks: JSON.stringify([3, 2]) },
        { tag: 'rare' },
        { match: '"task"*' },
        { dueBefore: NOW.getTime() },
        { dueAfter: NOW.getTime() },
        { assignee: 'ffffffffffffffffffffffff' },
        { unassigned: 1 },
        {
          statuses: JSON.stringify(['todo']),
          ranks: JSON.stringify([1]),
          tag: 'common',
          match: '"task"*',
          dueAfter: 0,
        },
      ];
      const sql = listTasksSql({ field: 'createdAt', direction: 'desc' }, 'keyed', false);
      for (const filter of filters) {
        const plan = planOf(db, sql, { ...baseParams, projectId: userId, ...filter });
        const label = `${JSON.stringify(filter)}: ${plan.join(' | ')}`;
        expect(plan.join(' | '), label).not.toMatch(/TEMP B-TREE/);
        expect(mainTableStep(plan), label).toMatch(/^SEARCH t USING INDEX tasks_project_created \(project_id=\?\)/);
      }
      const tagStep = planOf(db, sql, { ...baseParams, projectId: userId, tag: 'rare' }).join(' | ');
      expect(tagStep).toMatch(
        /SEARCH task_tags USING COVERING INDEX task_tags_project_tag \(project_id=\? AND tag=\?\)/,
      );
    });
  });
});

function idsOf(tasks: readonly TaskRecord[]): string[] {
  return tasks.map((t) => t.id);
}
