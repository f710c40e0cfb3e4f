import { PasswordHasher } from '../../backend/src/auth/password.js';
import { openSqliteStorage } from '../../backend/src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../backend/src/storage/storage.js';
import { encodeCursor } from '../../backend/src/tasks/task-query.js';
import type { NewTask, TaskCursor, TaskRepository, TaskSort } from '../../backend/src/tasks/tasks.repository.js';
import type { TaskPriority, TaskStatus } from '../../backend/src/tasks/task.model.js';

/** The word every search scenario looks for; it appears in roughly 2 % of tasks. */
export const SEARCH_WORD = 'invoice';
/** A word about one task in a thousand holds: the search whose matches are few at every size. */
export const RARE_WORD = 'notarise';
export const BENCH_PASSWORD = 'bench-password-0123';

const WORDS = (
  'plan review draft call email report budget design test deploy fix update write read check prepare ' +
  'send book order clean organise meeting client project team weekly monthly quarterly release backlog ' +
  'sprint feature bug docs slides notes contract payroll hiring interview onboarding training audit ' +
  'server database backup migration security roadmap launch campaign newsletter survey feedback ' +
  'dentist groceries garden car insurance taxes rent flight hotel visa passport birthday gift party'
).split(' ');
const TAGS = ['work', 'home', 'urgent', 'errand', 'finance', 'health', 'travel', 'family', 'ops', 'writing'];
const STATUSES: TaskStatus[] = [
  'todo',
  'todo',
  'todo',
  'todo',
  'todo',
  'in_progress',
  'in_progress',
  'done',
  'done',
  'done',
];
const PRIORITIES: TaskPriority[] = ['low', 'medium', 'medium', 'high', 'urgent'];
const DAY_MS = 86_400_000;

/** A small deterministic generator (mulberry32), so every run seeds the same data. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => {
    const draw = random();
    return draw < 0.004 ? SEARCH_WORD : draw < 0.0041 ? RARE_WORD : pick(random, WORDS);
  }).join(' ');
}

/** A plausible task: a few words of title, a sentence of description half the time, a due date and tags often. */
export function fakeTask(random: () => number, now: number): NewTask {
  const title = words(random, 3 + Math.floor(random() * 4));
  const tags = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(random, TAGS)))];
  const due = random() < 0.6 ? new Date(now + Math.floor((random() - 0.3) * 60) * DAY_MS) : null;
  return {
    title: title.charAt(0).toUpperCase() + title.slice(1),
    description: random() < 0.5 ? words(random, 8 + Math.floor(random() * 10)) : '',
    status: pick(random, STATUSES),
    priority: pick(random, PRIORITIES),
    dueDate: due,
    tags,
    assigneeId: null,
    remindAt: null,
    recurrence: null,
  };
}

export interface SeedOptions {
  /** The SQLite file the server will open (`<DATA_DIR>/primo.db`). */
  file: string;
  /** Tasks of the measured user. */
  tasks: number;
  /** Other users whose tasks are interleaved with the measured user's (they share every index). */
  otherUsers: number;
  /** Tasks of each other user. */
  tasksPerOtherUser: number;
  bcryptRounds: number;
  /** Extra users for the write scenarios, each with `tasksPerWriter` tasks. */
  writers?: number;
  tasksPerWriter?: number;
  /** How far into the measured user's list (0–1) the returned deep cursor points. */
  deepFraction?: number;
  /** Projects of a team lead that one member belongs to, holding `sharedTasks` tasks between them. */
  sharedProjects?: number;
  sharedTasks?: number;
}

export interface SeedResult {
  email: string;
  userId: string;
  writerEmails: string[];
  /** Ids of the writers' tasks (targets of the patch scenario). */
  writerTaskIds: string[];
  /** Up to 1,000 of the measured user's task ids, spread over the whole list. */
  sampleTaskIds: string[];
  /** Opaque cursor of the default sort, `deepFraction` of the way into the measured user's list. */
  deepCursor: string | null;
  /** The same for board order (`sort=position` over the user's personal project). */
  boardDeepCursor: string | null;
  /** The measured user's tasks whose title or description holds SEARCH_WORD. */
  searchMatches: number;
  /** The member of the shared projects (null without them), and how many of the shared tasks are theirs. */
  memberEmail: string | null;
  memberAssigned: number;
  taskCount: number;
  otherTaskCount: number;
  seconds: number;
  tasksPerSecond: number;
}

/**
 * Seeds through the repositories (the same code path the API uses, without HTTP):
 * one measured user, `otherUsers` neighbours, tasks created over the past year in time order.
 */
export async function seedDatabase(options: SeedOptions): Promise<SeedResult> {
  const storage = openSqliteStorage({ file: options.file });
  const started = performance.now();
  /** A user with their personal project, as registration makes them. */
  const newUser = async (email: string, name: string, passwordHash: string, at: Date) => {
    const user = await storage.users.create({ email, name, passwordHash }, at);
    if (user !== null) await storage.projects.ensurePersonal(user.id, at);
    return user;
  };
  try {
    const hash = await new PasswordHasher(options.bcryptRounds).hash(BENCH_PASSWORD);
    const now = Date.now();
    const createdAt = new Date(now - 400 * DAY_MS);
    const main = await newUser('bench@primo.local', 'Bench', hash, createdAt);
    if (main === null) throw new Error(`${options.file} already holds the bench user; seed into an empty folder`);
    const others: string[] = [];
    for (let i = 0; i < options.otherUsers; i += 1) {
      const user = await newUser(`neighbour${i}@primo.local`, `Neighbour ${i}`, hash, createdAt);
      if (user !== null) others.push(user.id);
    }
    const writers: string[] = [];
    const writerEmails: string[] = [];
    for (let i = 0; i < (options.writers ?? 0); i += 1) {
      const email = `writer${i}@primo.local`;
      const user = await newUser(email, `Writer ${i}`, hash, createdAt);
      if (user !== null) {
        writers.push(user.id);
        writerEmails.push(email);
      }
    }

    const random = randomSource(42);
    const otherTotal = others.length * options.tasksPerOtherUser;
    const total = options.tasks + otherTotal;
    const span = 365 * DAY_MS;
    let mainLeft = options.tasks;
    let otherIndex = 0;
    const sampleEvery = Math.max(1, Math.floor(options.tasks / 1000));
    const sampleTaskIds: string[] = [];
    let searchMatches = 0;
    for (let i = 0; i < total; i += 1) {
      const at = new Date(now - span + Math.floor((span * i) / Math.max(total, 1)));
      // Interleave: the measured user's share of the remaining tasks decides who owns this one.
      const remaining = total - i;
      const owner = random() * remaining < mainLeft ? main.id : (others[otherIndex++ % others.length] as string);
      const input = fakeTask(random, at.getTime());
      const task = await storage.tasks.create(owner, owner, input, at);
      if (owner === main.id) {
        mainLeft -= 1;
        if ((options.tasks - mainLeft) % sampleEvery === 0 && sampleTaskIds.length < 1000) sampleTaskIds.push(task.id);
        if (`${input.title} ${input.description}`.toLowerCase().includes(SEARCH_WORD)) searchMatches += 1;
      }
    }
    const writerTaskIds: string[] = [];
    for (const writer of writers) {
      for (let i = 0; i < (options.tasksPerWriter ?? 0); i += 1) {
        writerTaskIds.push((await storage.tasks.create(writer, writer, fakeTask(random, now), new Date(now))).id);
      }
    }
    const shared = await seedSharedProjects(storage, { ...options, hash, createdAt, random, newUser });
    const deepCursor = await cursorAt(
      storage.tasks,
      main.id,
      Math.floor(options.tasks * (options.deepFraction ?? 0.9)),
    );
    const boardDeepCursor = await cursorAt(
      storage.tasks,
      main.id,
      Math.floor(options.tasks * (options.deepFraction ?? 0.9)),
      BOARD_SORT,
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      email: main.email,
      userId: main.id,
      writerEmails,
      writerTaskIds,
      sampleTaskIds,
      deepCursor,
      boardDeepCursor,
      searchMatches,
      memberEmail: shared.memberEmail,
      memberAssigned: shared.assigned,
      taskCount: options.tasks,
      otherTaskCount: otherTotal,
      seconds,
      tasksPerSecond: (total + shared.tasks) / seconds,
    };
  } finally {
    await storage.close();
  }
}

/**
 * A team lead's `sharedProjects` projects, each with the same member (joined through an invitation,
 * as the API does), holding `sharedTasks` tasks round-robin; every tenth is assigned to the member.
 */
async function seedSharedProjects(
  storage: Storage,
  options: SeedOptions & {
    hash: string;
    createdAt: Date;
    random: () => number;
    newUser: (email: string, name: string, hash: string, at: Date) => Promise<{ id: string; email: string } | null>;
  },
): Promise<{ memberEmail: string | null; assigned: number; tasks: number }> {
  const count = options.sharedProjects ?? 0;
  if (count === 0) return { memberEmail: null, assigned: 0, tasks: 0 };
  const lead = await options.newUser('lead@primo.local', 'Lead', options.hash, options.createdAt);
  const member = await options.newUser('member@primo.local', 'Member', options.hash, options.createdAt);
  if (lead === null || member === null)
    throw new Error('the shared-project users exist already; seed into an empty folder');
  const projectIds: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const project = await storage.projects.create(
      lead.id,
      { name: `Team project ${i}`, description: '', color: null },
      options.createdAt,
    );
    const tokenHash = `bench-invitation-${i}`;
    await storage.invitations.create({
      projectId: project.id,
      email: member.email,
      role: 'editor',
      invitedBy: lead.id,
      tokenHash,
      createdAt: options.createdAt,
      expiresAt: new Date(options.createdAt.getTime() + DAY_MS),
    });
    const joined = await storage.invitations.accept(tokenHash, member, options.createdAt);
    if (joined.kind !== 'ok') throw new Error('the member could not join a shared project');
    projectIds.push(project.id);
  }
  const tasks = options.sharedTasks ?? 0;
  const now = Date.now();
  const span = 365 * DAY_MS;
  let assigned = 0;
  for (let i = 0; i < tasks; i += 1) {
    const at = new Date(now - span + Math.floor((span * i) / Math.max(tasks, 1)));
    const assigneeId = i % 10 === 0 ? member.id : null;
    if (assigneeId !== null) assigned += 1;
    await storage.tasks.create(
      projectIds[i % count] as string,
      lead.id,
      { ...fakeTask(options.random, at.getTime()), assigneeId },
      at,
    );
  }
  return { memberEmail: member.email, assigned, tasks };
}

const DEFAULT_SORT: TaskSort = { field: 'createdAt', direction: 'desc' };
const BOARD_SORT: TaskSort = { field: 'position', direction: 'asc' };

/** Walks the user's list in `sort` order (default: the default order) and returns the API cursor that starts at `position`. */
async function cursorAt(
  tasks: TaskRepository,
  userId: string,
  position: number,
  sort: TaskSort = DEFAULT_SORT,
): Promise<string | null> {
  let after: TaskCursor | undefined;
  let seen = 0;
  while (seen < position) {
    const page = await tasks.list([userId], {
      filter: {},
      sort,
      limit: Math.min(100, position - seen),
      ...(after ? { after } : {}),
    });
    if (page.next === null) return null;
    seen += page.items.length;
    after = page.next;
  }
  return after === undefined ? null : encodeCursor(sort, after);
}

export interface SeededUsers {
  emails: string[];
  /** Task ids per user, in the order of `emails`. */
  taskIds: string[][];
  seconds: number;
}

/** Many users with a few tasks each (the load test's population), created through the repositories. */
export async function seedUsers(options: {
  file: string;
  users: number;
  tasksPerUser: number;
  bcryptRounds: number;
}): Promise<SeededUsers> {
  const storage = openSqliteStorage({ file: options.file });
  const started = performance.now();
  try {
    const hash = await new PasswordHasher(options.bcryptRounds).hash(BENCH_PASSWORD);
    const random = randomSource(7);
    const now = Date.now();
    const emails: string[] = [];
    const taskIds: string[][] = [];
    for (let i = 0; i < options.users; i += 1) {
      const email = `load${i}@primo.local`;
      const user = await storage.users.create(
        { email, name: `Load ${i}`, passwordHash: hash },
        new Date(now - 30 * DAY_MS),
      );
      if (user === null) throw new Error(`${email} exists already; seed into an empty folder`);
      await storage.projects.ensurePersonal(user.id, user.createdAt);
      const ids: string[] = [];
      for (let t = 0; t < options.tasksPerUser; t += 1) {
        const at = new Date(now - Math.floor(random() * 30 * DAY_MS));
        ids.push((await storage.tasks.create(user.id, user.id, fakeTask(random, at.getTime()), at)).id);
      }
      emails.push(email);
      taskIds.push(ids);
    }
    return { emails, taskIds, seconds: (performance.now() - started) / 1000 };
  } finally {
    await storage.close();
  }
}
