import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

interface WireChange {
  seq: string;
  projectId: string;
  type: string;
  entityId: string;
  version: number;
  actor: { id: string; name: string };
  at: string;
  fields: { field: string; from: unknown; to: unknown }[];
}

describe('the change log over HTTP: /changes and a task’s activity', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;
  let stranger: TestUser;
  let projectId: string;

  const get = (user: TestUser, path: string) => request(t.app).get(path).set(user.auth);
  const send = (user: TestUser, method: 'post' | 'patch' | 'delete', path: string, body?: object) =>
    request(t.app)[method](path).set(user.auth).send(body);

  /** Every change after `since` for `user`, page by page with `limit`. */
  async function follow(user: TestUser, since: string, limit: number) {
    const seen: WireChange[] = [];
    let cursor = since;
    for (let page = 0; page < 50; page += 1) {
      const res = await get(user, `/api/v1/changes?since=${cursor}&limit=${limit}`).expect(200);
      const body = res.body as { data: WireChange[]; nextCursor: string };
      expect(res.headers['cache-control']).toBe('no-store');
      expect(body.data.length).toBeLessThanOrEqual(limit);
      seen.push(...body.data);
      if (body.data.length === 0) return { seen, cursor: body.nextCursor };
      cursor = body.nextCursor;
    }
    throw new Error('the feed did not end');
  }

  beforeAll(async () => {
    t = await createTestApp();
    ada = await registerUser(t.app, { name: 'Ada' });
    bob = await registerUser(t.app, { name: 'Bob' });
    stranger = await registerUser(t.app, { name: 'Stranger' });
    projectId = (await send(ada, 'post', '/api/v1/projects', { name: 'Live' }).expect(201)).body.id as string;
    const invitation = await send(ada, 'post', `/api/v1/projects/${projectId}/invitations`, {
      email: bob.email,
      role: 'editor',
    }).expect(201);
    await send(bob, 'post', '/api/v1/invitations/accept', { token: invitation.body.token }).expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('when members write, then each member’s feed has every change once, oldest first, with actor names; a stranger’s has none', async () => {
    const start = (await get(bob, '/api/v1/changes').expect(200)).body as { data: unknown[]; nextCursor: string };
    expect(start.data).toEqual([]);
    const strangerStart = (await get(stranger, '/api/v1/changes').expect(200)).body.nextCursor as string;

    const task = (await send(ada, 'post', '/api/v1/tasks', { title: 'Ship', projectId }).expect(201)).body as {
      id: string;
    };
    await send(bob, 'patch', `/api/v1/tasks/${task.id}`, { status: 'done', priority: 'high' }).expect(200);
    await send(ada, 'patch', `/api/v1/tasks/${task.id}`, { title: 'Ship it' }).expect(200);
    await send(ada, 'post', '/api/v1/tasks', { title: 'Private' }).expect(201);
    await send(bob, 'delete', `/api/v1/tasks/${task.id}`).expect(204);

    const { seen, cursor } = await follow(bob, start.nextCursor, 2);
    expect(seen.map((change) => [change.type, change.version, change.actor.name])).toEqual([
      ['task.created', 1, 'Ada'],
      ['task.updated', 2, 'Bob'],
      ['task.updated', 3, 'Ada'],
      ['task.deleted', 4, 'Bob'],
    ]);
    expect(seen[1]?.fields).toEqual([
      { field: 'status', from: 'todo', to: 'done' },
      { field: 'priority', from: 'medium', to: 'high' },
    ]);
    expect(seen.every((change) => change.entityId === task.id && change.projectId === projectId)).toBe(true);
    expect(Number(cursor)).toBeGreaterThanOrEqual(Number(seen.at(-1)?.seq));
    // Ada also sees her Inbox task; nothing further after the cursor.
    expect((await follow(ada, start.nextCursor, 50)).seen).toHaveLength(5);
    expect((await get(bob, `/api/v1/changes?since=${cursor}`).expect(200)).body.data).toEqual([]);
    expect((await follow(stranger, strangerStart, 50)).seen).toEqual([]);
  });

  it('when a task’s activity is read, then its changes come newest first, paged; a non-member gets 404', async () => {
    const task = (await send(ada, 'post', '/api/v1/tasks', { title: 'History', projectId }).expect(201)).body as {
      id: string;
    };
    for (const status of ['in_progress', 'done', 'todo']) {
      await send(bob, 'patch', `/api/v1/tasks/${task.id}`, { status }).expect(200);
    }
    const first = await get(ada, `/api/v1/tasks/${task.id}/activity?limit=3`).expect(200);
    expect(first.body.data.map((change: WireChange) => change.version)).toEqual([4, 3, 2]);
    expect(first.body.data[0]).toMatchObject({
      type: 'task.updated',
      actor: { id: bob.id, name: 'Bob' },
      fields: [{ field: 'status', from: 'done', to: 'todo' }],
    });
    expect(typeof first.body.nextCursor).toBe('string');
    const rest = await get(ada, `/api/v1/tasks/${task.id}/activity?cursor=${first.body.nextCursor}`).expect(200);
    expect(rest.body).toMatchObject({ data: [{ type: 'task.created', version: 1 }], nextCursor: null });
    await get(stranger, `/api/v1/tasks/${task.id}/activity`).expect(404);
    await get(ada, '/api/v1/tasks/not-an-id/activity').expect(404);
  });

  it('when the position or limit is malformed, then 400 names it; a position beyond the log or before what is kept is 410', async () => {
    const bad = await get(bob, '/api/v1/changes?since=abc').expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'since' })]);
    await get(bob, '/api/v1/changes?since=1&limit=0').expect(400);
    await get(bob, '/api/v1/changes?since=1&limit=101').expect(400);
    await get(bob, '/api/v1/changes?since=99999999999999999999').expect(400);
    const head = (await get(bob, '/api/v1/changes').expect(200)).body.nextCursor as string;
    const ahead = await get(bob, `/api/v1/changes?since=${Number(head) + 5}`).expect(410);
    expect(ahead.headers['content-type']).toMatch(/application\/problem\+json/);

    await send(ada, 'post', '/api/v1/tasks', { title: 'After', projectId }).expect(201);
    // Everything recorded so far falls out of the kept history.
    await t.runtime.storage.changes.prune(new Date(Date.now() + 60_000));
    const gone = await get(bob, '/api/v1/changes?since=1').expect(410);
    expect(gone.body.type).toMatch(/changes-gone$/);
    // The current position still works, and so does a page from it.
    const now = (await get(bob, '/api/v1/changes').expect(200)).body.nextCursor as string;
    await get(bob, `/api/v1/changes?since=${now}`).expect(200);
    await request(t.app).get('/api/v1/changes').expect(401);
  });

  it('when a member is removed or a project deleted, then the feed of those who lost it says so', async () => {
    const team = (await send(ada, 'post', '/api/v1/projects', { name: 'Short-lived' }).expect(201)).body.id as string;
    const invitation = await send(ada, 'post', `/api/v1/projects/${team}/invitations`, {
      email: stranger.email,
      role: 'viewer',
    }).expect(201);
    await send(stranger, 'post', '/api/v1/invitations/accept', { token: invitation.body.token }).expect(200);
    const since = (await get(stranger, '/api/v1/changes').expect(200)).body.nextCursor as string;
    await send(ada, 'delete', `/api/v1/projects/${team}/members/${stranger.id}`).expect(204);
    await send(ada, 'delete', `/api/v1/projects/${team}`).expect(204);
    const { seen } = await follow(stranger, since, 10);
    expect(seen.map((change) => [change.type, change.entityId])).toEqual([['member.removed', stranger.id]]);
    // The feed covers the projects one is in now: once the project is gone, Ada is told of its deletion.
    const adaSees = (await follow(ada, since, 10)).seen.map((change) => change.type);
    expect(adaSees).toEqual(['project.deleted']);
  });
});
