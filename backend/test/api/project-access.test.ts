import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';
import { routerOperations } from '../helpers/router.js';

type Caller = 'nonMember' | 'viewer' | 'editor' | 'owner';

/** The ids a row's path and body are built from, fresh for every attempt. */
interface Fixture {
  projectId: string;
  taskId: string;
  invitationId: string;
  /** A member other than the caller (a viewer), for member routes. */
  otherMemberId: string;
}

interface AccessRow {
  /** `method /path` as routerOperations lists it. */
  operation: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => Record<string, unknown>;
  /** The status each caller gets. */
  expect: Record<Caller, number>;
}

const READ = { nonMember: 404, viewer: 200, editor: 200, owner: 200 };
const OWNER_ONLY = (success: number) => ({ nonMember: 404, viewer: 403, editor: 403, owner: success });
const WRITE = (success: number) => ({ nonMember: 404, viewer: 403, editor: success, owner: success });

/**
 * Every project-scoped route with what a non-member, a viewer, an editor and an owner get. A route
 * added to the router without a row here fails the first test.
 */
const TABLE: AccessRow[] = [
  { operation: 'get /api/v1/projects/{id}', path: (f) => `/api/v1/projects/${f.projectId}`, expect: READ },
  {
    operation: 'patch /api/v1/projects/{id}',
    path: (f) => `/api/v1/projects/${f.projectId}`,
    body: () => ({ description: 'changed' }),
    expect: WRITE(200),
  },
  {
    operation: 'delete /api/v1/projects/{id}',
    path: (f) => `/api/v1/projects/${f.projectId}`,
    expect: OWNER_ONLY(204),
  },
  {
    operation: 'get /api/v1/projects/{id}/members',
    path: (f) => `/api/v1/projects/${f.projectId}/members`,
    expect: READ,
  },
  {
    operation: 'patch /api/v1/projects/{id}/members/{userId}',
    path: (f) => `/api/v1/projects/${f.projectId}/members/${f.otherMemberId}`,
    body: () => ({ role: 'editor' }),
    expect: OWNER_ONLY(200),
  },
  {
    operation: 'delete /api/v1/projects/{id}/members/{userId}',
    path: (f) => `/api/v1/projects/${f.projectId}/members/${f.otherMemberId}`,
    expect: OWNER_ONLY(204),
  },
  {
    operation: 'post /api/v1/projects/{id}/invitations',
    path: (f) => `/api/v1/projects/${f.projectId}/invitations`,
    body: () => ({ email: `someone-${Math.random()}@example.com`, role: 'viewer' }),
    expect: OWNER_ONLY(201),
  },
  {
    operation: 'get /api/v1/projects/{id}/invitations',
    path: (f) => `/api/v1/projects/${f.projectId}/invitations`,
    expect: OWNER_ONLY(200),
  },
  {
    operation: 'delete /api/v1/projects/{id}/invitations/{invitationId}',
    path: (f) => `/api/v1/projects/${f.projectId}/invitations/${f.invitationId}`,
    expect: OWNER_ONLY(204),
  },
  {
    operation: 'post /api/v1/tasks',
    path: () => '/api/v1/tasks',
    body: (f) => ({ title: 'New', projectId: f.projectId }),
    expect: WRITE(201),
  },
  {
    operation: 'get /api/v1/tasks',
    path: (f) => `/api/v1/tasks?projectId=${f.projectId}`,
    expect: READ,
  },
  {
    operation: 'get /api/v1/tasks/stats',
    path: (f) => `/api/v1/tasks/stats?projectId=${f.projectId}`,
    expect: READ,
  },
  {
    operation: 'get /api/v1/tasks/{id}',
    path: (f) => `/api/v1/tasks/${f.taskId}`,
    expect: { ...READ, nonMember: 404 },
  },
  {
    operation: 'patch /api/v1/tasks/{id}',
    path: (f) => `/api/v1/tasks/${f.taskId}`,
    body: () => ({ status: 'done' }),
    expect: WRITE(200),
  },
  { operation: 'delete /api/v1/tasks/{id}', path: (f) => `/api/v1/tasks/${f.taskId}`, expect: WRITE(204) },
  { operation: 'get /api/v1/tasks/{id}/activity', path: (f) => `/api/v1/tasks/${f.taskId}/activity`, expect: READ },
  {
    // Into another column of the board: a viewer may not, a non-member learns nothing.
    operation: 'post /api/v1/tasks/{id}/move',
    path: (f) => `/api/v1/tasks/${f.taskId}/move`,
    body: () => ({ status: 'in_progress' }),
    expect: WRITE(200),
  },
];

/** Routes that are not project-scoped (the caller's own account and lists of their own projects). */
const NOT_PROJECT_SCOPED = new Set([
  'get /api/v1/projects',
  'post /api/v1/projects',
  // Joining is decided by the token and the caller's email, tested in projects.test.ts.
  'post /api/v1/invitations/accept',
  // The caller's own feed over the projects they are in now, tested in changes.test.ts.
  'get /api/v1/changes',
]);

describe('project access policy through every project-scoped route', () => {
  let t: TestApp;
  const users = {} as Record<Caller, TestUser>;
  let helper: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    for (const caller of ['nonMember', 'viewer', 'editor', 'owner'] as const) users[caller] = await registerUser(t.app);
    helper = await registerUser(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (user: TestUser) => ({
    get: (path: string) => request(t.app).get(path).set(user.auth),
    post: (path: string, body: object) => request(t.app).post(path).set(user.auth).send(body),
  });

  /** Invites `user` with `role` and has them accept. */
  async function join(owner: TestUser, projectId: string, user: TestUser, role: 'editor' | 'viewer') {
    const invitation = await as(owner).post(`/api/v1/projects/${projectId}/invitations`, { email: user.email, role });
    expect(invitation.status).toBe(201);
    const accepted = await as(user).post('/api/v1/invitations/accept', { token: invitation.body.token });
    expect(accepted.status).toBe(200);
  }

  /** A fresh project where owner, editor and viewer hold their roles, with a task and a pending invitation. */
  async function fixture(): Promise<Fixture> {
    const project = await as(users.owner).post('/api/v1/projects', { name: 'Access' });
    const projectId = project.body.id as string;
    await join(users.owner, projectId, users.editor, 'editor');
    await join(users.owner, projectId, users.viewer, 'viewer');
    await join(users.owner, projectId, helper, 'viewer');
    const task = await as(users.owner).post('/api/v1/tasks', { title: 'Shared', projectId });
    const invitation = await as(users.owner).post(`/api/v1/projects/${projectId}/invitations`, {
      email: `pending-${Math.random()}@example.com`,
      role: 'editor',
    });
    return {
      projectId,
      taskId: task.body.id as string,
      invitationId: invitation.body.id as string,
      otherMemberId: helper.id,
    };
  }

  it('when the router is walked, then every project-scoped route has a row in the table', () => {
    const scoped = routerOperations(t.app).filter(
      (operation) =>
        /^\w+ \/api\/v1\/(projects|tasks|invitations)/.test(operation) && !NOT_PROJECT_SCOPED.has(operation),
    );
    expect(scoped.length).toBeGreaterThan(10);
    expect(TABLE.map((row) => row.operation).sort()).toEqual(scoped.sort());
  });

  for (const row of TABLE) {
    for (const caller of ['nonMember', 'viewer', 'editor', 'owner'] as const) {
      it(`when a ${caller} calls ${row.operation}, then ${row.expect[caller]} and nothing else changes`, async () => {
        const f = await fixture();
        const [method] = row.operation.split(' ') as [string];
        const before = await as(users.owner).get(`/api/v1/tasks?projectId=${f.projectId}`);
        const call = request(t.app)[method as 'get' | 'post' | 'patch' | 'delete'](row.path(f)).set(users[caller].auth);
        const res = row.body ? await call.send(row.body(f)) : await call;
        expect(res.status, JSON.stringify(res.body)).toBe(row.expect[caller]);
        if (res.status >= 400) {
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          // A refused call wrote nothing: the project's tasks are as they were.
          const after = await as(users.owner).get(`/api/v1/tasks?projectId=${f.projectId}`);
          expect(after.body).toEqual(before.body);
        }
        if (res.status === 404) {
          // A non-member learns nothing about the project: the same answer as for an id that never existed.
          expect(res.body.detail).toMatch(/^No (project|task) with this id\.$/);
        }
      });
    }
  }
});
