import type { Change, Member, Project, Task, User } from '@primo/api/contract/wire';
import { json, type FetchMock } from './fetch-mock';

export const alice: User = {
  id: '64b000000000000000000a11',
  email: 'alice@example.com',
  name: 'Alice',
  createdAt: '2026-01-01T00:00:00.000Z',
  emailVerified: true,
};

export const bob: User = {
  id: '64b000000000000000000b0b',
  email: 'bob@example.com',
  name: 'Bob',
  createdAt: '2026-01-01T00:00:00.000Z',
  emailVerified: true,
};

let sequence = 0;

export function makeTask(overrides: Partial<Task> = {}): Task {
  sequence += 1;
  const id = overrides.id ?? `t${String(sequence).padStart(23, '0')}`;
  return {
    id,
    projectId: alice.id,
    assigneeId: null,
    createdBy: alice.id,
    title: `Task ${sequence}`,
    description: '',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    tags: [],
    createdAt: '2026-01-02T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    completedAt: null,
    version: 1,
    position: `a${sequence % 10}`,
    remindAt: null,
    recurrence: null,
    ...overrides,
  };
}

/** Bob's update of `task` to its next version, as a live event or `/changes` carries it. */
export function makeChange(task: Task, overrides: Partial<Change> = {}): Change {
  return {
    seq: '1',
    projectId: task.projectId,
    type: 'task.updated',
    entityId: task.id,
    version: task.version + 1,
    actor: { id: bob.id, name: bob.name },
    at: '2026-03-01T10:00:00.000Z',
    fields: [],
    ...overrides,
  };
}

/** Alice's personal project: its id is hers. */
export const inbox: Project = {
  id: alice.id,
  name: 'Inbox',
  description: '',
  color: null,
  personal: true,
  role: 'owner',
  memberCount: 1,
  openTaskCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};

let projectSequence = 0;

/** A shared project Alice is a member of (an owner unless `role` says otherwise). */
export function makeProject(overrides: Partial<Project> = {}): Project {
  projectSequence += 1;
  return {
    ...inbox,
    id: `70${String(projectSequence).padStart(22, '0')}`,
    name: `Project ${projectSequence}`,
    personal: false,
    memberCount: 2,
    ...overrides,
  };
}

export function member(user: User, role: Member['role']): Member {
  return { user: { id: user.id, email: user.email, name: user.name }, role, joinedAt: '2026-01-03T00:00:00.000Z' };
}

/** Answers the project list (the Inbox first, then `projects`) and each project's members (Alice alone). */
export function serveProjects(api: FetchMock, projects: Project[] = []): void {
  api.on('GET', '/api/v1/projects', json(200, { data: [inbox, ...projects], nextCursor: null }));
  api.on('GET', /^\/api\/v1\/projects\/\w+\/members$/, json(200, { data: [member(alice, 'owner')] }));
}

/** Answers the SPA's silent refresh as a signed-in session would, and Alice's projects (only her Inbox). */
/** This browser has seen `user` sign in (what the app keeps in local storage for that). */
export function rememberSignIn(user: User = alice): void {
  localStorage.setItem('primo-user', JSON.stringify(user));
}

export function signedIn(api: FetchMock, user: User = alice): void {
  // The app asks to restore a session only where someone has signed in before.
  rememberSignIn(user);
  api.on('POST', '/api/v1/auth/refresh', () =>
    json(200, { user, accessToken: 'access-1', refreshToken: 'must-not-be-stored' }),
  );
  serveProjects(api);
  api.on('GET', '/api/v1/notifications', json(200, { data: [], nextCursor: null, unreadCount: 0 }));
}
