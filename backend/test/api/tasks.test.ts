import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

describe('tasks API', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    alice = await registerUser(t.app);
    bob = await registerUser(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (user: TestUser, body: Record<string, unknown>) =>
    request(t.app).post('/api/v1/tasks').set(user.auth).send(body);

  it('when a task is created with only a title, then 201 with defaults in the personal project, Location and ETag', async () => {
    const res = await create(alice, { title: '  Write report  ' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      // Without a projectId a task goes to the creator's personal project, which has their id.
      projectId: alice.id,
      assigneeId: null,
      createdBy: alice.id,
      title: 'Write report',
      description: '',
      status: 'todo',
      priority: 'medium',
      dueDate: null,
      tags: [],
      createdAt: expect.any(String),
      updatedAt: res.body.createdAt,
      completedAt: null,
      version: 1,
      position: expect.stringMatching(/^[0-9A-Za-z]+$/),
      remindAt: null,
      recurrence: null,
    });
    expect(res.headers.location).toBe(`/api/v1/tasks/${res.body.id}`);
    expect(res.headers.etag).toBe(`"${res.body.id}-1"`);
  });

  it('when every field is given, then they are stored, tags lower-cased and dates normalised to UTC', async () => {
    const res = await create(alice, {
      title: 'Plan trip',
      description: 'Book flights',
      status: 'in_progress',
      priority: 'urgent',
      dueDate: '2030-01-02T03:04:05+02:00',
      tags: ['Travel', 'family'],
    }).expect(201);
    expect(res.body).toMatchObject({
      status: 'in_progress',
      priority: 'urgent',
      dueDate: '2030-01-02T01:04:05.000Z',
      tags: ['travel', 'family'],
    });
    const fetched = await request(t.app).get(`/api/v1/tasks/${res.body.id}`).set(alice.auth).expect(200);
    expect(fetched.body).toEqual(res.body);
    expect(fetched.headers.etag).toBe(`"${res.body.id}-1"`);
  });

  it('when status becomes done, then completedAt is set; when it leaves done, it is cleared; version grows each time', async () => {
    const task = (await create(alice, { title: 'Complete me' }).expect(201)).body;
    const done = await request(t.app)
      .patch(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .send({ status: 'done' })
      .expect(200);
    expect(done.body.completedAt).not.toBeNull();
    expect(done.body.version).toBe(2);
    expect(done.headers.etag).toBe(`"${task.id}-2"`);
    const reopened = await request(t.app)
      .patch(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .send({ status: 'todo', title: 'Reopened' })
      .expect(200);
    expect(reopened.body).toMatchObject({ completedAt: null, version: 3, title: 'Reopened' });
  });

  it('when If-Match is stale, then PATCH and DELETE answer 412 and change nothing; a current one succeeds', async () => {
    const task = (await create(alice, { title: 'Guarded' }).expect(201)).body;
    await request(t.app).patch(`/api/v1/tasks/${task.id}`).set(alice.auth).send({ priority: 'high' }).expect(200);
    const stale = await request(t.app)
      .patch(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .set('If-Match', `"${task.id}-1"`)
      .send({ title: 'Lost update' })
      .expect(412);
    expect(stale.headers['content-type']).toMatch(/problem\+json/);
    expect(stale.headers.etag).toBe(`"${task.id}-2"`);
    await request(t.app)
      .delete(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .set('If-Match', `"${task.id}-1"`)
      .expect(412);
    await request(t.app)
      .patch(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .set('If-Match', 'garbage')
      .send({ title: 'x' })
      .expect(412);
    const current = await request(t.app).get(`/api/v1/tasks/${task.id}`).set(alice.auth).expect(200);
    expect(current.body).toMatchObject({ title: 'Guarded', version: 2 });
    await request(t.app)
      .patch(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .set('If-Match', `"${task.id}-2"`)
      .send({ title: 'Fresh' })
      .expect(200);
    await request(t.app)
      .delete(`/api/v1/tasks/${task.id}`)
      .set(alice.auth)
      .set('If-Match', `"${task.id}-3"`)
      .expect(204);
    await request(t.app).get(`/api/v1/tasks/${task.id}`).set(alice.auth).expect(404);
  });

  it('when two clients patch with the same If-Match concurrently, then exactly one wins', async () => {
    const task = (await create(alice, { title: 'Race' }).expect(201)).body;
    const results = await Promise.all(
      ['A', 'B', 'C', 'D'].map((who) =>
        request(t.app)
          .patch(`/api/v1/tasks/${task.id}`)
          .set(alice.auth)
          .set('If-Match', `"${task.id}-1"`)
          .send({ title: who }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
  });

  it("when another user's task is read, changed or deleted, then 404 as if it did not exist", async () => {
    const task = (await create(alice, { title: 'Private' }).expect(201)).body;
    await request(t.app).get(`/api/v1/tasks/${task.id}`).set(bob.auth).expect(404);
    await request(t.app).patch(`/api/v1/tasks/${task.id}`).set(bob.auth).send({ title: 'Hijack' }).expect(404);
    await request(t.app).delete(`/api/v1/tasks/${task.id}`).set(bob.auth).expect(404);
    const list = await request(t.app).get('/api/v1/tasks?limit=100').set(bob.auth).expect(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(task.id);
    const still = await request(t.app).get(`/api/v1/tasks/${task.id}`).set(alice.auth).expect(200);
    expect(still.body.title).toBe('Private');
  });

  it('when the id is malformed or unknown, then 404', async () => {
    await request(t.app).get('/api/v1/tasks/not-an-id').set(alice.auth).expect(404);
    await request(t.app)
      .get(`/api/v1/tasks/${'f'.repeat(24)}`)
      .set(alice.auth)
      .expect(404);
    await request(t.app).patch('/api/v1/tasks/%24ne').set(alice.auth).send({ title: 'x' }).expect(404);
    await request(t.app).delete('/api/v1/tasks/123').set(alice.auth).expect(404);
  });

  it('when no token is sent, then every task route is 401', async () => {
    await request(t.app).get('/api/v1/tasks').expect(401);
    await request(t.app).post('/api/v1/tasks').send({ title: 'x' }).expect(401);
    await request(t.app).get('/api/v1/tasks/stats').expect(401);
  });

  it('when the list has not changed, then If-None-Match gets 304; after a write it gets 200 again', async () => {
    const user = await registerUser(t.app);
    await create(user, { title: 'One' }).expect(201);
    const first = await request(t.app).get('/api/v1/tasks').set(user.auth).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    await request(t.app).get('/api/v1/tasks').set(user.auth).set('If-None-Match', etag).expect(304);
    await create(user, { title: 'Two' }).expect(201);
    const after = await request(t.app).get('/api/v1/tasks').set(user.auth).set('If-None-Match', etag).expect(200);
    expect(after.body.data).toHaveLength(2);
    const stats = await request(t.app).get('/api/v1/tasks/stats').set(user.auth).expect(200);
    await request(t.app)
      .get('/api/v1/tasks/stats')
      .set(user.auth)
      .set('If-None-Match', stats.headers.etag as string)
      .expect(304);
  });

  it('when a single task has not changed, then If-None-Match with its ETag gets 304', async () => {
    const task = await create(alice, { title: 'Cached' }).expect(201);
    await request(t.app)
      .get(`/api/v1/tasks/${task.body.id}`)
      .set(alice.auth)
      .set('If-None-Match', task.headers.etag as string)
      .expect(304);
  });

  it('when the stats are read, then they count by status and priority, overdue, due today and completions by day', async () => {
    // A pinned clock a minute before midnight, so "today" cannot change between the writes and the read.
    let now = Date.UTC(2026, 2, 15, 23, 59, 0);
    const pinned = await createTestApp({ clock: () => new Date(now) });
    try {
      const user = await registerUser(pinned.app);
      const send = (body: Record<string, unknown>) =>
        request(pinned.app).post('/api/v1/tasks').set(user.auth).send(body).expect(201);
      await send({ title: 'Overdue', dueDate: new Date(now - 3 * 86_400_000).toISOString(), priority: 'high' });
      await send({ title: 'Due later today', dueDate: new Date(now + 30_000).toISOString() });
      await send({ title: 'Done', status: 'done', priority: 'low' });
      const res = await request(pinned.app).get('/api/v1/tasks/stats').set(user.auth).expect(200);
      expect(res.body).toMatchObject({
        total: 3,
        byStatus: { todo: 2, in_progress: 0, done: 1 },
        byPriority: { low: 1, medium: 1, high: 1, urgent: 0 },
        overdue: 1,
        dueToday: 1,
      });
      expect(res.body.completedByDay).toHaveLength(14);
      expect(res.body.completedByDay.at(-1)).toEqual({ date: '2026-03-15', count: 1 });

      // Two minutes later it is the next day: the per-minute cache key lets the new day show at once.
      now += 2 * 60_000;
      const next = await request(pinned.app).get('/api/v1/tasks/stats').set(user.auth).expect(200);
      expect(next.body).toMatchObject({ overdue: 2, dueToday: 0 });
      expect(next.body.completedByDay.at(-1)).toEqual({ date: '2026-03-16', count: 0 });
      expect(next.body.completedByDay.at(-2)).toEqual({ date: '2026-03-15', count: 1 });
      await request(pinned.app).get('/api/v1/tasks/stats?x=1').set(user.auth).expect(400);
    } finally {
      await pinned.close();
    }
  });

  it('when a task is deleted, then it is gone for get, list and stats', async () => {
    const user = await registerUser(t.app);
    const task = (await create(user, { title: 'Temporary' }).expect(201)).body;
    await request(t.app).get('/api/v1/tasks/stats').set(user.auth).expect(200);
    await request(t.app).delete(`/api/v1/tasks/${task.id}`).set(user.auth).expect(204);
    await request(t.app).delete(`/api/v1/tasks/${task.id}`).set(user.auth).expect(404);
    const list = await request(t.app).get('/api/v1/tasks').set(user.auth).expect(200);
    expect(list.body.data).toEqual([]);
    const stats = await request(t.app).get('/api/v1/tasks/stats').set(user.auth).expect(200);
    expect(stats.body.total).toBe(0);
  });
});
