import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

interface ApiTask {
  id: string;
  title: string;
  status: string;
  priority: string;
  dueDate: string | null;
  tags: string[];
}

describe('listing tasks', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t.app);
    const day = (n: number) => new Date(Date.UTC(2030, 0, n)).toISOString();
    const seed = [
      { title: 'Alpha report', status: 'todo', priority: 'low', tags: ['work'], dueDate: day(3) },
      { title: 'beta errand', status: 'in_progress', priority: 'urgent', tags: ['home'], dueDate: day(1) },
      {
        title: 'Gamma report draft',
        description: 'quarterly numbers',
        status: 'done',
        priority: 'high',
        tags: ['work', 'q1'],
      },
      { title: 'delta', status: 'todo', priority: 'medium', tags: [], dueDate: day(2) },
      { title: 'Epsilon', status: 'in_progress', priority: 'high', tags: ['home'], dueDate: null },
    ];
    for (const task of seed) await request(t.app).post('/api/v1/tasks').set(user.auth).send(task).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (query: string): Promise<{ data: ApiTask[]; nextCursor: string | null }> =>
    (await request(t.app).get(`/api/v1/tasks${query}`).set(user.auth).expect(200)).body;
  const titles = async (query: string) => (await list(query)).data.map((task) => task.title);

  it('when no parameters are given, then newest first with a null cursor at the end', async () => {
    const page = await list('');
    expect(page.data.map((x) => x.title)).toEqual([
      'Epsilon',
      'delta',
      'Gamma report draft',
      'beta errand',
      'Alpha report',
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('when filtering by several statuses and priorities, then only matching tasks come back', async () => {
    expect(await titles('?status=todo,in_progress&sort=title')).toEqual([
      'Alpha report',
      'beta errand',
      'delta',
      'Epsilon',
    ]);
    expect(await titles('?priority=high,urgent&sort=title')).toEqual(['beta errand', 'Epsilon', 'Gamma report draft']);
    expect(await titles('?status=in_progress&priority=high')).toEqual(['Epsilon']);
  });

  it('when filtering by tag, q or due range, then matches are exact and case-insensitive', async () => {
    expect(await titles('?tag=WORK&sort=title')).toEqual(['Alpha report', 'Gamma report draft']);
    expect(await titles('?q=REPORT&sort=title')).toEqual(['Alpha report', 'Gamma report draft']);
    expect(await titles('?q=quarterly')).toEqual(['Gamma report draft']);
    expect(await titles('?q=report%20draft')).toEqual(['Gamma report draft']);
    expect(await titles('?q=nothing-like-this')).toEqual([]);
    expect(
      await titles(
        `?dueAfter=${encodeURIComponent('2030-01-02T00:00:00.000Z')}&dueBefore=2030-01-03T00:00:00Z&sort=dueDate`,
      ),
    ).toEqual(['delta', 'Alpha report']);
  });

  it('when sorting by dueDate either way, then tasks without a due date come last', async () => {
    expect(await titles('?sort=dueDate')).toEqual([
      'beta errand',
      'delta',
      'Alpha report',
      'Gamma report draft',
      'Epsilon',
    ]);
    expect(await titles('?sort=-dueDate')).toEqual([
      'Alpha report',
      'delta',
      'beta errand',
      'Epsilon',
      'Gamma report draft',
    ]);
  });

  it('when sorting by priority, then low < medium < high < urgent', async () => {
    const asc = await list('?sort=priority');
    expect(asc.data.map((x) => x.priority)).toEqual(['low', 'medium', 'high', 'high', 'urgent']);
    const desc = await list('?sort=-priority');
    expect(desc.data.map((x) => x.priority)).toEqual(['urgent', 'high', 'high', 'medium', 'low']);
  });

  it('when sorting by title, then case is ignored', async () => {
    expect(await titles('?sort=-title')).toEqual([
      'Gamma report draft',
      'Epsilon',
      'delta',
      'beta errand',
      'Alpha report',
    ]);
  });

  it('when a parameter or value is unknown or malformed, then 400 names it', async () => {
    for (const query of [
      '?status=later',
      '?sort=size',
      '?limit=0',
      '?limit=101',
      '?limit=ten',
      '?dueBefore=tomorrow',
      '?colour=red',
      '?status[$ne]=done',
      '?status=todo&status=done',
      '?cursor=abc',
    ]) {
      const res = await request(t.app).get(`/api/v1/tasks${query}`).set(user.auth);
      expect(res.status, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.errors.length, query).toBeGreaterThan(0);
    }
  });

  it('when a cursor from one sort is used with another, then 400', async () => {
    const page = await list('?sort=title&limit=2');
    const res = await request(t.app)
      .get(`/api/v1/tasks?sort=-title&limit=2&cursor=${page.nextCursor}`)
      .set(user.auth)
      .expect(400);
    expect(res.body.errors[0].path).toBe('cursor');
  });

  it('when a large page is asked for with gzip, then it arrives gzipped once, identical on MISS and HIT', async () => {
    const miss = await request(t.app)
      .get('/api/v1/tasks?limit=100&sort=title')
      .set(user.auth)
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    const hit = await request(t.app)
      .get('/api/v1/tasks?limit=100&sort=title')
      .set(user.auth)
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(hit.headers['x-cache']).toBe('HIT');
    for (const res of [miss, hit]) {
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers.vary).toMatch(/Accept-Encoding/);
      expect(res.body.data).toHaveLength(5);
    }
    expect(hit.body).toEqual(miss.body);
    const plain = await request(t.app)
      .get('/api/v1/tasks?limit=100&sort=title')
      .set(user.auth)
      .set('Accept-Encoding', 'identity')
      .expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(miss.body);
  });

  it('when the query string is longer than 2 kB, then 414', async () => {
    await request(t.app)
      .get(`/api/v1/tasks?q=${'a'.repeat(2100)}`)
      .set(user.auth)
      .expect(414);
  });
});

describe('walking every page', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t.app);
    for (let i = 0; i < 45; i += 1) {
      await request(t.app)
        .post('/api/v1/tasks')
        .set(user.auth)
        .send({
          title: `Task ${i % 7}`,
          priority: ['low', 'medium', 'high', 'urgent'][i % 4],
          dueDate: i % 3 === 0 ? null : new Date(Date.UTC(2030, 0, 1 + (i % 5))).toISOString(),
        })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    '-createdAt',
    'createdAt',
    'updatedAt',
    '-updatedAt',
    'dueDate',
    '-dueDate',
    'priority',
    '-priority',
    'title',
    '-title',
  ])(
    'when walking sort=%s with limit 4 while tasks are being added, then every earlier task appears exactly once',
    async (sort) => {
      const before = (await request(t.app).get('/api/v1/tasks?limit=100').set(user.auth).expect(200)).body.data.map(
        (x: ApiTask) => x.id,
      ) as string[];
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/api/v1/tasks?sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await request(t.app).get(query).set(user.auth).expect(200);
        seen.push(...res.body.data.map((x: ApiTask) => x.id));
        cursor = res.body.nextCursor;
        pages += 1;
        // Concurrent writers add tasks in the middle of the walk.
        await request(t.app)
          .post('/api/v1/tasks')
          .set(user.auth)
          .send({ title: `Added during ${sort} ${pages}`, dueDate: new Date(Date.UTC(2030, 0, 3)).toISOString() })
          .expect(201);
      } while (cursor !== null && pages < 100);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
    },
  );
});
