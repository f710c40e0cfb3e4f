import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

describe('Idempotency-Key on the writes', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;

  const post = (user: TestUser, path: string, body: object, key?: string) => {
    const req = request(t.app).post(path).set(user.auth);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };
  const titles = async (user: TestUser) =>
    (
      (await request(t.app).get('/api/v1/tasks?limit=100').set(user.auth).expect(200)).body.data as { title: string }[]
    ).map((task) => task.title);

  beforeAll(async () => {
    t = await createTestApp();
    ada = await registerUser(t.app, { name: 'Ada' });
    bob = await registerUser(t.app, { name: 'Bob' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when a keyed create is repeated, then the first answer comes back replayed and one task exists', async () => {
    const first = await post(ada, '/api/v1/tasks', { title: 'Buy milk' }, 'create-1').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(ada, '/api/v1/tasks', { title: 'Buy milk' }, 'create-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect((await titles(ada)).filter((title) => title === 'Buy milk')).toHaveLength(1);
    // The key is Ada's: Bob's request with the same key is his own.
    await post(bob, '/api/v1/tasks', { title: 'Buy milk' }, 'create-1').expect(201);
    expect((await titles(bob)).filter((title) => title === 'Buy milk')).toHaveLength(1);
  });

  it('when the key is reused for another request, then 422; a malformed key is 400', async () => {
    await post(ada, '/api/v1/tasks', { title: 'One' }, 'reuse').expect(201);
    const other = await post(ada, '/api/v1/tasks', { title: 'Two' }, 'reuse').expect(422);
    expect(other.body.type).toMatch(/idempotency-key-reused$/);
    await request(t.app)
      .patch(`/api/v1/tasks/${'0'.repeat(24)}`)
      .set(ada.auth)
      .set('Idempotency-Key', 'reuse')
      .send({})
      .expect(422);
    for (const bad of ['', 'a'.repeat(256), 'has space', 'é']) {
      const res = await request(t.app)
        .post('/api/v1/tasks')
        .set(ada.auth)
        .set('Idempotency-Key', bad)
        .send({ title: 'Bad key' })
        .expect(400);
      expect(res.body.errors).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    }
    expect(await titles(ada)).not.toContain('Two');
    expect(await titles(ada)).not.toContain('Bad key');
  });

  it('when duplicates of a keyed create arrive at once, then exactly one task is created and the others replay or get 409', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(ada, '/api/v1/tasks', { title: 'Concurrent' }, 'burst')),
    );
    const ids = new Set(answers.filter((res) => res.status === 201).map((res) => res.body.id as string));
    expect(ids.size).toBe(1);
    for (const res of answers.filter((answer) => answer.status !== 201)) {
      expect(res.status).toBe(409);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect((await titles(ada)).filter((title) => title === 'Concurrent')).toHaveLength(1);
  });

  it('when a keyed patch or delete is repeated, then it applied once and the first answer comes back', async () => {
    const task = (await post(ada, '/api/v1/tasks', { title: 'Edit' }).expect(201)).body as {
      id: string;
      version: number;
    };
    const patch = () =>
      request(t.app)
        .patch(`/api/v1/tasks/${task.id}`)
        .set(ada.auth)
        .set('Idempotency-Key', 'patch-1')
        .set('If-Match', `"${task.id}-1"`)
        .send({ status: 'done' });
    const first = await patch().expect(200);
    expect(first.body.version).toBe(2);
    const again = await patch().expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const stored = await request(t.app).get(`/api/v1/tasks/${task.id}`).set(ada.auth).expect(200);
    expect(stored.body.version).toBe(2);
    const activity = await request(t.app).get(`/api/v1/tasks/${task.id}/activity`).set(ada.auth).expect(200);
    expect(activity.body.data.map((change: { version: number }) => change.version)).toEqual([2, 1]);

    const remove = () =>
      request(t.app).delete(`/api/v1/tasks/${task.id}`).set(ada.auth).set('Idempotency-Key', 'delete-1');
    await remove().expect(204);
    const repeated = await remove().expect(204);
    expect(repeated.headers['idempotent-replayed']).toBe('true');
  });

  it('when a keyed write is refused, then a repeat gets the same refusal replayed', async () => {
    const task = (await post(ada, '/api/v1/tasks', { title: 'Guarded' }).expect(201)).body as { id: string };
    const stale = () =>
      request(t.app)
        .patch(`/api/v1/tasks/${task.id}`)
        .set(ada.auth)
        .set('Idempotency-Key', 'stale-1')
        .set('If-Match', `"${task.id}-7"`)
        .send({ title: 'Nope' });
    const first = await stale().expect(412);
    const again = await stale().expect(412);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body.detail).toBe(first.body.detail);
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('when a keyed project is created twice, then one project exists', async () => {
    const first = await post(ada, '/api/v1/projects', { name: 'Keyed project' }, 'project-1').expect(201);
    const again = await post(ada, '/api/v1/projects', { name: 'Keyed project' }, 'project-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const projects = await request(t.app).get('/api/v1/projects').set(ada.auth).expect(200);
    expect(projects.body.data.filter((p: { name: string }) => p.name === 'Keyed project')).toHaveLength(1);
  });
});
