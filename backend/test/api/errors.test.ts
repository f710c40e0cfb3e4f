import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import type { Storage } from '../../src/storage/storage.js';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';
import { openTempSqliteStorage } from '../helpers/storage.js';

const expectProblem = (res: request.Response, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    requestId: res.headers['x-request-id'],
  });
};

describe('bad input', () => {
  let t: TestApp;
  let user: TestUser;
  let taskId: string;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t.app);
    taskId = (await request(t.app).post('/api/v1/tasks').set(user.auth).send({ title: 'Target' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('when the JSON is malformed, then 400 problem', async () => {
    const res = await request(t.app)
      .post('/api/v1/tasks')
      .set(user.auth)
      .set('Content-Type', 'application/json')
      .send('{"title": "x",');
    expectProblem(res, 400);
  });

  it('when the body is not JSON, then 415', async () => {
    expectProblem(
      await request(t.app).post('/api/v1/tasks').set(user.auth).set('Content-Type', 'text/plain').send('title=x'),
      415,
    );
    expectProblem(await request(t.app).post('/api/v1/tasks').set(user.auth).type('form').send({ title: 'x' }), 415);
    expectProblem(
      await request(t.app).post('/api/v1/auth/login').set('Content-Type', 'application/xml').send('<x/>'),
      415,
    );
  });

  it('when the body claims a Content-Encoding it does not have, then 400', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await request(t.app)
        .post('/api/v1/tasks')
        .set(user.auth)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('{"title":"x"}');
      expectProblem(res, 400);
    }
  });

  it('when the body is larger than 100 kB, then 413', async () => {
    expectProblem(
      await request(t.app)
        .post('/api/v1/tasks')
        .set(user.auth)
        .send({ title: 'big', description: 'x'.repeat(110_000) }),
      413,
    );
  });

  it.each<[string, unknown]>([
    ['an operator object instead of a string', { title: { $ne: null } }],
    ['a number title', { title: 42 }],
    ['an array title', { title: ['a'] }],
    ['an empty title', { title: '   ' }],
    ['a too long title', { title: 'x'.repeat(201) }],
    ['an unknown field', { title: 'ok', owner: 'someone-else' }],
    ['a client-set id', { title: 'ok', id: 'f'.repeat(24) }],
    ['a client-set version', { title: 'ok', version: 9 }],
    ['a bad status', { title: 'ok', status: 'later' }],
    ['a bad priority', { title: 'ok', priority: { $gt: '' } }],
    ['a bad date', { title: 'ok', dueDate: 'next tuesday' }],
    ['too many tags', { title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
    ['duplicate tags', { title: 'ok', tags: ['Work', 'work'] }],
    ['a non-string tag', { title: 'ok', tags: [{ $where: '1' }] }],
    ['a top-level array', [{ title: 'ok' }]],
    ['a JSON string', 'title'],
    ['null', null],
  ])('when creating with %s, then 400 with field errors and nothing is stored', async (_name, body) => {
    const before = (await request(t.app).get('/api/v1/tasks?limit=100').set(user.auth)).body.data.length;
    const res = await request(t.app)
      .post('/api/v1/tasks')
      .set(user.auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
    expectProblem(res, 400);
    expect(res.body.errors.length).toBeGreaterThan(0);
    const after = (await request(t.app).get('/api/v1/tasks?limit=100').set(user.auth)).body.data.length;
    expect(after).toBe(before);
  });

  it('when a body carries unknown fields, then each is reported under its own name', async () => {
    const res = await request(t.app)
      .post('/api/v1/tasks')
      .set(user.auth)
      .send({ title: 'ok', owner: 'x', color: 'red' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([
      { path: 'owner', message: 'unknown field' },
      { path: 'color', message: 'unknown field' },
    ]);
  });

  it('when the body carries a __proto__ key, then 400 and no prototype is polluted', async () => {
    const res = await request(t.app)
      .post('/api/v1/tasks')
      .set(user.auth)
      .set('Content-Type', 'application/json')
      .send('{"title":"x","__proto__":{"polluted":true}}');
    expectProblem(res, 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = await request(t.app)
      .patch(`/api/v1/tasks/${taskId}`)
      .set(user.auth)
      .set('Content-Type', 'application/json')
      .send('{"constructor":{"prototype":{"polluted":true}}}');
    expectProblem(nested, 400);
  });

  it('when a patch is empty or has unknown fields, then 400 and the task is unchanged', async () => {
    expectProblem(await request(t.app).patch(`/api/v1/tasks/${taskId}`).set(user.auth).send({}), 400);
    expectProblem(
      await request(t.app).patch(`/api/v1/tasks/${taskId}`).set(user.auth).send({ title: 'New', completedAt: null }),
      400,
    );
    const task = await request(t.app).get(`/api/v1/tasks/${taskId}`).set(user.auth).expect(200);
    expect(task.body).toMatchObject({ title: 'Target', version: 1 });
  });

  it('when login gets operator objects, then 400, never a match', async () => {
    expectProblem(
      await request(t.app)
        .post('/api/v1/auth/login')
        .send({ email: { $ne: null }, password: { $ne: null } }),
      400,
    );
  });

  it('when a path parameter is not valid percent-encoding, then 400 problem', async () => {
    expectProblem(await request(t.app).get('/api/v1/tasks/%zz').set(user.auth), 400);
    expectProblem(await request(t.app).patch('/api/v1/tasks/%E0%A4%A').set(user.auth).send({ title: 'x' }), 400);
  });

  it('when the route does not exist, then 404 problem', async () => {
    expectProblem(await request(t.app).get('/api/v1/nothing-here'), 404);
    expectProblem(await request(t.app).put(`/api/v1/tasks/${taskId}`).set(user.auth).send({ title: 'x' }), 404);
  });

  it('when a sane X-Request-Id is sent, then it is echoed; an unsafe one is replaced', async () => {
    const sane = await request(t.app).get('/health').set('X-Request-Id', 'abc-123.XYZ');
    expect(sane.headers['x-request-id']).toBe('abc-123.XYZ');
    const unsafe = await request(t.app).get('/health').set('X-Request-Id', 'bad id <script>');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('store failures', () => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let failure: Error | null = null;
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    ({ storage, cleanup } = await openTempSqliteStorage());
    const tasks = storage.tasks;
    const failing: Storage = {
      ...storage,
      kind: storage.kind,
      users: storage.users,
      refreshTokens: storage.refreshTokens,
      ping: () => storage.ping(),
      close: () => storage.close(),
      tasks: new Proxy(tasks, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (failure) return Promise.reject(failure);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
    };
    t = await createTestApp({ storage: failing, env: { CACHE_TTL: '0' } });
    user = await registerUser(t.app);
  });
  afterAll(async () => {
    await t.close();
    await cleanup();
  });

  it('when the store throws an unexpected error, then 500 problem without stack or driver text', async () => {
    failure = new Error('SQLITE_CORRUPT: database disk image is malformed at /secret/path');
    const res = await request(t.app).get('/api/v1/tasks').set(user.auth);
    failure = null;
    expectProblem(res, 500);
    expect(JSON.stringify(res.body)).not.toMatch(/SQLITE|secret|at \w+ \(|\.ts:\d+/);
  });

  it('when the store is unavailable, then 503 with Retry-After', async () => {
    failure = new StoreUnavailableError('database is locked', 3);
    const res = await request(t.app).post('/api/v1/tasks').set(user.auth).send({ title: 'x' });
    failure = null;
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body.detail).not.toMatch(/locked/);
  });
});
