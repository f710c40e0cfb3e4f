import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

describe('projects, members and invitations API', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await registerUser(t.app, { name: 'Ada' });
    bob = await registerUser(t.app, { name: 'Bob' });
    cy = await registerUser(t.app, { name: 'Cy' });
  });
  afterAll(async () => {
    await t.close();
  });

  const api = (user: TestUser) => ({
    get: (path: string) => request(t.app).get(`/api/v1${path}`).set(user.auth),
    post: (path: string, body: object) => request(t.app).post(`/api/v1${path}`).set(user.auth).send(body),
    patch: (path: string, body: object) => request(t.app).patch(`/api/v1${path}`).set(user.auth).send(body),
    delete: (path: string) => request(t.app).delete(`/api/v1${path}`).set(user.auth),
  });

  async function newProject(owner: TestUser, name = 'Launch'): Promise<string> {
    const res = await api(owner).post('/projects', { name }).expect(201);
    return res.body.id as string;
  }

  async function invite(owner: TestUser, projectId: string, email: string, role = 'editor') {
    return (await api(owner).post(`/projects/${projectId}/invitations`, { email, role }).expect(201)).body as {
      id: string;
      token: string;
    };
  }

  async function join(owner: TestUser, projectId: string, user: TestUser, role = 'editor') {
    const { token } = await invite(owner, projectId, user.email, role);
    await api(user).post('/invitations/accept', { token }).expect(200);
  }

  it('when an account is registered, then it has its personal Inbox, which cannot be deleted or shared', async () => {
    const user = await registerUser(t.app);
    const list = await api(user).get('/projects').expect(200);
    expect(list.body).toEqual({
      data: [
        {
          id: user.id,
          name: 'Inbox',
          description: '',
          color: null,
          personal: true,
          role: 'owner',
          memberCount: 1,
          openTaskCount: 0,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
          version: 1,
        },
      ],
      nextCursor: null,
    });
    const gone = await api(user).delete(`/projects/${user.id}`).expect(409);
    expect(gone.body.type).toMatch(/personal-project$/);
    await api(user).post(`/projects/${user.id}/invitations`, { email: bob.email, role: 'editor' }).expect(409);
  });

  it('when a project is created, then 201 with Location and ETag; the colour is stored lower-cased', async () => {
    const res = await api(ada).post('/projects', { name: '  Launch  ', color: '#4F46E5' }).expect(201);
    expect(res.body).toMatchObject({
      name: 'Launch',
      color: '#4f46e5',
      personal: false,
      role: 'owner',
      memberCount: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/projects/${res.body.id}`);
    expect(res.headers.etag).toBe(`"${res.body.id}-1"`);
    const stale = await api(ada)
      .patch(`/projects/${res.body.id}`, { name: 'x' })
      .set('If-Match', `"${res.body.id}-7"`)
      .expect(412);
    expect(stale.headers.etag).toBe(`"${res.body.id}-1"`);
    await api(ada)
      .patch(`/projects/${res.body.id}`, { name: 'Renamed' })
      .set('If-Match', String(res.headers.etag))
      .expect(200);
  });

  it('when project input is invalid, then 400 names each field and nothing is created', async () => {
    const before = (await api(cy).get('/projects').expect(200)).body.data.length;
    for (const [body, path] of [
      [{}, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'ok', color: 'red' }, 'color'],
      [{ name: 'ok', description: 'x'.repeat(2001) }, 'description'],
      [{ name: 'ok', owner: 'me' }, 'owner'],
      [{ name: { $ne: null } }, 'name'],
    ] as const) {
      const res = await api(cy).post('/projects', body).expect(400);
      expect(
        res.body.errors.map((e: { path: string }) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect((await api(cy).get('/projects').expect(200)).body.data.length).toBe(before);
    await api(cy).patch(`/projects/${cy.id}`, {}).expect(400);
    await api(cy).get('/projects?limit=0').expect(400);
    await api(cy).get('/projects?cursor=nope').expect(400);
  });

  it('when an invitation is sent, then the answer is the same for a known and an unknown address and the token works once', async () => {
    const projectId = await newProject(ada);
    const known = await api(ada).post(`/projects/${projectId}/invitations`, { email: bob.email, role: 'viewer' });
    const unknown = await api(ada).post(`/projects/${projectId}/invitations`, {
      email: 'nobody-here@example.com',
      role: 'viewer',
    });
    expect(known.status).toBe(201);
    expect(unknown.status).toBe(201);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknown.body).sort());
    expect(known.body).toMatchObject({
      projectId,
      email: bob.email,
      role: 'viewer',
      invitedBy: { id: ada.id, name: 'Ada' },
    });
    const pending = await api(ada).get(`/projects/${projectId}/invitations`).expect(200);
    expect(pending.body.data).toHaveLength(2);
    expect(pending.body.data.every((i: object) => !('token' in i))).toBe(true);

    // The token in another account's hands is refused, and the invitation stays pending.
    await api(cy).post('/invitations/accept', { token: known.body.token }).expect(404);
    const joined = await api(bob).post('/invitations/accept', { token: known.body.token }).expect(200);
    expect(joined.body).toMatchObject({ id: projectId, role: 'viewer', memberCount: 2 });
    await api(bob).post('/invitations/accept', { token: known.body.token }).expect(404);
    // Inviting a member again is a conflict.
    await api(ada).post(`/projects/${projectId}/invitations`, { email: bob.email, role: 'editor' }).expect(409);
  });

  it('when an invitation is replaced or revoked, then its token no longer works', async () => {
    const projectId = await newProject(ada);
    const first = await invite(ada, projectId, cy.email);
    const second = await invite(ada, projectId, cy.email, 'viewer');
    await api(cy).post('/invitations/accept', { token: first.token }).expect(404);
    await api(ada).delete(`/projects/${projectId}/invitations/${second.id}`).expect(204);
    await api(ada).delete(`/projects/${projectId}/invitations/${second.id}`).expect(404);
    await api(cy).post('/invitations/accept', { token: second.token }).expect(404);
    await api(cy).get(`/projects/${projectId}`).expect(404);
    for (const body of [{}, { token: '' }, { token: 5 }, { token: 'x', extra: 1 }]) {
      await api(cy).post('/invitations/accept', body).expect(400);
    }
    await api(ada).post(`/projects/${projectId}/invitations`, { email: 'not-an-email', role: 'viewer' }).expect(400);
    const owner = await api(ada).post(`/projects/${projectId}/invitations`, { email: cy.email, role: 'owner' });
    expect(owner.status).toBe(400);
    expect(owner.body.errors[0].path).toBe('role');
  });

  it('when roles change and members leave, then a project always keeps an owner', async () => {
    const projectId = await newProject(ada);
    await join(ada, projectId, bob);
    const demote = await api(ada).patch(`/projects/${projectId}/members/${ada.id}`, { role: 'editor' }).expect(409);
    expect(demote.body.type).toMatch(/last-owner$/);
    await api(ada).delete(`/projects/${projectId}/members/${ada.id}`).expect(409);
    await api(ada).patch(`/projects/${projectId}/members/${bob.id}`, { role: 'admin' }).expect(400);
    const promoted = await api(ada).patch(`/projects/${projectId}/members/${bob.id}`, { role: 'owner' }).expect(200);
    expect(promoted.body).toMatchObject({ user: { id: bob.id, name: 'Bob', email: bob.email }, role: 'owner' });
    // Now Ada may leave.
    await api(ada).delete(`/projects/${projectId}/members/${ada.id}`).expect(204);
    await api(ada).get(`/projects/${projectId}`).expect(404);
    const members = await api(bob).get(`/projects/${projectId}/members`).expect(200);
    expect(members.body.data.map((m: { user: { id: string } }) => m.user.id)).toEqual([bob.id]);
    await api(bob).patch(`/projects/${projectId}/members/${cy.id}`, { role: 'viewer' }).expect(404);
  });

  it('when tasks are shared, then assignees must be members, lists filter by project and assignee, and removal unassigns', async () => {
    const projectId = await newProject(ada, 'Shared work');
    await join(ada, projectId, bob);
    const notMember = await api(bob).post('/tasks', { title: 'x', projectId, assigneeId: cy.id }).expect(400);
    expect(notMember.body.errors[0].path).toBe('assigneeId');
    const forAda = await api(bob).post('/tasks', { title: 'For Ada', projectId, assigneeId: ada.id }).expect(201);
    expect(forAda.body).toMatchObject({ projectId, assigneeId: ada.id, createdBy: bob.id });
    const forBob = await api(ada).post('/tasks', { title: 'For Bob', projectId, assigneeId: bob.id }).expect(201);
    await api(ada).post('/tasks', { title: 'Inbox item' }).expect(201);

    const mine = await api(ada).get('/tasks?assignee=me').expect(200);
    expect(mine.body.data.map((task: { id: string }) => task.id)).toEqual([forAda.body.id]);
    const inProject = await api(ada).get(`/tasks?projectId=${projectId}`).expect(200);
    expect(inProject.body.data).toHaveLength(2);
    const everything = await api(ada).get('/tasks').expect(200);
    expect(everything.body.data.map((task: { title: string }) => task.title)).toEqual(
      expect.arrayContaining(['For Ada', 'For Bob', 'Inbox item']),
    );
    const unassigned = await api(ada).get(`/tasks?projectId=${projectId},${ada.id}&assignee=none`).expect(200);
    expect(unassigned.body.data.every((task: { assigneeId: null }) => task.assigneeId === null)).toBe(true);
    const stats = await api(ada).get(`/tasks/stats?projectId=${projectId}&assignee=${bob.id}`).expect(200);
    expect(stats.body.total).toBe(1);
    await api(ada).get(`/tasks?projectId=${cy.id}`).expect(404);
    await api(ada).get('/tasks?assignee=someone').expect(400);
    await api(ada).get('/tasks?projectId=abc').expect(400);

    // Bob leaves: what he created stays, what was his becomes unassigned.
    await api(bob).delete(`/projects/${projectId}/members/${bob.id}`).expect(204);
    const left = await api(ada).get(`/tasks/${forBob.body.id}`).expect(200);
    expect(left.body).toMatchObject({ assigneeId: null, version: 2 });
    expect((await api(ada).get(`/tasks/${forAda.body.id}`).expect(200)).body.createdBy).toBe(bob.id);
    await api(bob).get(`/tasks/${forAda.body.id}`).expect(404);
  });

  it('when a task moves between projects, then write access is needed in both, and an assignee outside the target is dropped', async () => {
    const source = await newProject(ada, 'Source');
    const target = await newProject(ada, 'Target');
    const readOnly = await newProject(cy, 'Read only');
    await join(ada, source, bob);
    await join(cy, readOnly, ada, 'viewer');
    const task = await api(ada).post('/tasks', { title: 'Mover', projectId: source, assigneeId: bob.id }).expect(201);
    await api(ada).patch(`/tasks/${task.body.id}`, { projectId: readOnly }).expect(403);
    await api(ada).patch(`/tasks/${task.body.id}`, { projectId: bob.id }).expect(404);
    await api(ada).patch(`/tasks/${task.body.id}`, { projectId: target, assigneeId: bob.id }).expect(400);
    expect((await api(ada).get(`/tasks/${task.body.id}`).expect(200)).body).toMatchObject({
      projectId: source,
      version: 1,
    });
    const moved = await api(ada).patch(`/tasks/${task.body.id}`, { projectId: target }).expect(200);
    expect(moved.body).toMatchObject({ projectId: target, assigneeId: null, version: 2 });
    await api(bob).get(`/tasks/${task.body.id}`).expect(404);
  });

  it('when a project is deleted, then its tasks are gone for every member and others’ tasks stay', async () => {
    const projectId = await newProject(ada, 'Doomed');
    await join(ada, projectId, bob);
    const task = await api(bob).post('/tasks', { title: 'Doomed task', projectId }).expect(201);
    await api(bob).delete(`/projects/${projectId}`).expect(403);
    await api(ada).delete(`/projects/${projectId}`).expect(204);
    await api(bob).get(`/tasks/${task.body.id}`).expect(404);
    await api(bob).get(`/projects/${projectId}`).expect(404);
    const bobs = await api(bob).get('/projects').expect(200);
    expect(bobs.body.data.map((p: { id: string }) => p.id)).not.toContain(projectId);
  });
});
