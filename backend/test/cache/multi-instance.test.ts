import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';
import { type RedisServer, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import { openTempSqliteStorage, type TempSqliteStorage } from '../helpers/storage.js';
import { waitFor } from './fixtures.js';

const hasRedis = redisServerAvailable('multi-instance cache and rate-limit tests');

interface TaskBody {
  id: string;
  title: string;
}

describe.skipIf(!hasRedis)('three app instances sharing one Redis and one database', () => {
  let server: RedisServer;
  let store: TempSqliteStorage;
  let apps: TestApp[] = [];
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    server = await startRedisServer();
    store = await openTempSqliteStorage();
    apps = await Promise.all(
      [1, 2, 3].map(() => createTestApp({ env: { REDIS_URL: server.url, CACHE_TTL: '60' }, storage: store.storage })),
    );
    await waitFor(() => apps.every((instance) => instance.runtime.cache.status() === 'up'));
    alice = await registerUser(app(0));
    bob = await registerUser(app(1));
  });
  afterAll(async () => {
    await Promise.all(apps.map((instance) => instance.close()));
    await store?.cleanup();
    await server?.stop();
  });

  const app = (index: number) => (apps[index % apps.length] as TestApp).app;
  const titles = (body: { data: TaskBody[] }) => body.data.map((task) => task.title).sort();

  it('when a user writes on one instance, then a read on any other instance is never stale, and a repeat is a HIT', async () => {
    const expected: string[] = [];
    for (let round = 0; round < 6; round += 1) {
      const title = `task ${round}`;
      await request(app(round)).post('/api/v1/tasks').set(alice.auth).send({ title }).expect(201);
      expected.push(title);
      const read = await request(app(round + 1))
        .get('/api/v1/tasks')
        .set(alice.auth)
        .expect(200);
      expect(titles(read.body)).toEqual([...expected].sort());
      expect(read.headers['x-cache']).toBe('MISS');
      const repeat = await request(app(round + 2))
        .get('/api/v1/tasks')
        .set(alice.auth)
        .expect(200);
      expect(repeat.headers['x-cache']).toBe('HIT');
      expect(repeat.body).toEqual(read.body);
    }
  });

  it('when a task is patched on one instance, then its single read and the stats on another reflect it', async () => {
    const created = await request(app(0)).post('/api/v1/tasks').set(bob.auth).send({ title: 'patch me' }).expect(201);
    const id = (created.body as TaskBody).id;
    await request(app(1)).get(`/api/v1/tasks/${id}`).set(bob.auth).expect(200);
    await request(app(2)).get('/api/v1/tasks/stats').set(bob.auth).expect(200);
    expect((await request(app(1)).get(`/api/v1/tasks/${id}`).set(bob.auth)).headers['x-cache']).toBe('HIT');

    await request(app(2)).patch(`/api/v1/tasks/${id}`).set(bob.auth).send({ status: 'done' }).expect(200);
    const single = await request(app(1)).get(`/api/v1/tasks/${id}`).set(bob.auth).expect(200);
    expect(single.body.status).toBe('done');
    expect(single.headers.etag).toBe(`"${id}-2"`);
    const stats = await request(app(0)).get('/api/v1/tasks/stats').set(bob.auth).expect(200);
    expect(stats.body.byStatus.done).toBeGreaterThanOrEqual(1);
    expect(stats.headers['x-cache']).toBe('MISS');
  });

  it('when two users alternate identical reads on all instances, then neither ever sees the other one’s tasks', async () => {
    const carol = await registerUser(app(2));
    const dave = await registerUser(app(0));
    await request(app(0)).post('/api/v1/tasks').set(carol.auth).send({ title: 'carol only' }).expect(201);
    await request(app(1)).post('/api/v1/tasks').set(dave.auth).send({ title: 'dave only' }).expect(201);
    const seen: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const user = i % 2 === 0 ? carol : dave;
      const read = await request(app(i)).get('/api/v1/tasks?sort=title').set(user.auth).expect(200);
      expect(titles(read.body)).toEqual([user === carol ? 'carol only' : 'dave only']);
      seen.push(read.headers['x-cache'] as string);
    }
    expect(seen.slice(2).every((result) => result === 'HIT')).toBe(true);
  });

  it('when reads are served, then /metrics counts cache hits and misses', async () => {
    const metrics = await request(app(1)).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/cache_requests_total\{result="hit"\} [1-9]/);
    expect(metrics.text).toMatch(/cache_requests_total\{result="miss"\} [1-9]/);
  });

  it('when members of a shared project read on every instance, then a write by any member, a removal and a departure are seen at once', async () => {
    const owner = await registerUser(app(0));
    const member = await registerUser(app(1));
    const project = await request(app(0)).post('/api/v1/projects').set(owner.auth).send({ name: 'Shared' }).expect(201);
    const projectId = project.body.id as string;
    const invitation = await request(app(1))
      .post(`/api/v1/projects/${projectId}/invitations`)
      .set(owner.auth)
      .send({ email: member.email, role: 'editor' })
      .expect(201);
    // The member's cached project list from before joining must not hide the new project.
    await request(app(2)).get('/api/v1/projects').set(member.auth).expect(200);
    await request(app(2))
      .post('/api/v1/invitations/accept')
      .set(member.auth)
      .send({ token: invitation.body.token })
      .expect(200);
    const projects = await request(app(0)).get('/api/v1/projects').set(member.auth).expect(200);
    expect(projects.body.data.map((p: { id: string }) => p.id)).toContain(projectId);

    // Both warm their caches on every instance, then each writes in turn on another instance.
    const writers = [owner, member];
    const expected: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const [i, reader] of writers.entries()) {
        await request(app(round + i))
          .get('/api/v1/tasks')
          .set(reader.auth)
          .expect(200);
        await request(app(round + i + 1))
          .get(`/api/v1/tasks?projectId=${projectId}`)
          .set(reader.auth)
          .expect(200);
      }
      const writer = writers[round % 2] as TestUser;
      const title = `shared ${round}`;
      await request(app(round + 2))
        .post('/api/v1/tasks')
        .set(writer.auth)
        .send({ title, projectId })
        .expect(201);
      expected.push(title);
      for (const [i, reader] of writers.entries()) {
        const read = await request(app(round + i))
          .get(`/api/v1/tasks?projectId=${projectId}`)
          .set(reader.auth);
        expect(read.status).toBe(200);
        expect(read.headers['x-cache']).toBe('MISS');
        expect(titles(read.body)).toEqual([...expected].sort());
      }
    }
    const taskId = (await request(app(0)).get(`/api/v1/tasks?projectId=${projectId}`).set(member.auth)).body.data[0]
      .id as string;
    // Warm the member's single-task and list reads on every instance, then remove them on one.
    for (let i = 0; i < 3; i += 1) {
      await request(app(i)).get(`/api/v1/tasks/${taskId}`).set(member.auth).expect(200);
      await request(app(i)).get(`/api/v1/projects/${projectId}`).set(member.auth).expect(200);
      await request(app(i)).get('/api/v1/tasks').set(member.auth).expect(200);
    }
    await request(app(1)).delete(`/api/v1/projects/${projectId}/members/${member.id}`).set(owner.auth).expect(204);
    for (let i = 0; i < 3; i += 1) {
      await request(app(i)).get(`/api/v1/tasks/${taskId}`).set(member.auth).expect(404);
      await request(app(i)).get(`/api/v1/projects/${projectId}`).set(member.auth).expect(404);
      const list = await request(app(i)).get('/api/v1/tasks').set(member.auth).expect(200);
      expect(list.body.data.map((task: { projectId: string }) => task.projectId)).not.toContain(projectId);
      const theirs = await request(app(i)).get('/api/v1/projects').set(member.auth).expect(200);
      expect(theirs.body.data.map((p: { id: string }) => p.id)).not.toContain(projectId);
    }
  });
});

// The general API limit shared by several instances is covered in rate-limit/rate-limit.test.ts.
describe.skipIf(!hasRedis)('rate limits shared by three full app instances', () => {
  let server: RedisServer;
  let store: TempSqliteStorage;
  let apps: TestApp[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    store = await openTempSqliteStorage();
    apps = await Promise.all(
      [1, 2, 3].map(() =>
        createTestApp({
          env: { REDIS_URL: server.url, RATE_LIMIT_MAX: '20', AUTH_RATE_LIMIT_MAX: '3' },
          storage: store.storage,
        }),
      ),
    );
    await waitFor(() => apps.every((instance) => instance.runtime.redis?.status() === 'up'));
  });
  afterAll(async () => {
    await Promise.all(apps.map((instance) => instance.close()));
    await store?.cleanup();
    await server?.stop();
  });

  it('when 9 logins with a wrong password arrive across 3 instances, then exactly 3 are answered and the rest get 429', async () => {
    const responses = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        request((apps[i % 3] as TestApp).app)
          .post('/api/v1/auth/login')
          .send({ email: `nobody${i}@example.com`, password: 'wrong password' }),
      ),
    );
    const codes = responses.map((response) => response.status);
    expect(codes.filter((code) => code === 401)).toHaveLength(3);
    expect(codes.filter((code) => code === 429)).toHaveLength(6);
    const limited = responses.find((response) => response.status === 429);
    expect(limited?.headers['content-type']).toMatch(/problem\+json/);
    expect(limited?.headers['retry-after']).toMatch(/^\d+$/);
  });
});
