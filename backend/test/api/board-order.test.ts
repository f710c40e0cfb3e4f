import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSITION_LENGTH_BOUND } from '../../src/tasks/board-order.js';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

interface WireTask {
  id: string;
  title: string;
  status: string;
  position: string;
  version: number;
  completedAt: string | null;
}

describe('board order API', () => {
  let t: TestApp;
  let ada: TestUser;
  let bob: TestUser;
  let vic: TestUser;
  let projectId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ada = await registerUser(t.app);
    bob = await registerUser(t.app);
    vic = await registerUser(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (user: TestUser, path: string, body: object) => request(t.app).post(path).set(user.auth).send(body);
  const get = (user: TestUser, path: string) => request(t.app).get(path).set(user.auth);
  const move = (user: TestUser, id: string, body: object) => post(user, `/api/v1/tasks/${id}/move`, body);

  /** A fresh project owned by Ada, with Bob as editor and Vic as viewer. */
  async function sharedProject(): Promise<string> {
    const project = await post(ada, '/api/v1/projects', { name: 'Board' }).expect(201);
    for (const [user, role] of [
      [bob, 'editor'],
      [vic, 'viewer'],
    ] as const) {
      const invitation = await post(ada, `/api/v1/projects/${project.body.id}/invitations`, {
        email: user.email,
        role,
      }).expect(201);
      await post(user, '/api/v1/invitations/accept', { token: invitation.body.token }).expect(200);
    }
    return project.body.id as string;
  }

  async function tasksIn(project: string, titles: readonly string[], status = 'todo'): Promise<WireTask[]> {
    const created: WireTask[] = [];
    for (const title of titles) {
      created.push((await post(ada, '/api/v1/tasks', { title, projectId: project, status }).expect(201)).body);
    }
    return created;
  }

  /** The whole board in order, walking pages of `limit` with the cursor. */
  async function board(project: string, limit = 3, user: TestUser = ada): Promise<WireTask[]> {
    const seen: WireTask[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `projectId=${project}&sort=position&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(user, `/api/v1/tasks?${query}`).expect(200);
      seen.push(...(res.body.data as WireTask[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor !== null);
    return seen;
  }
  const titles = (tasks: readonly WireTask[], status = 'todo') =>
    tasks.filter((task) => task.status === status).map((task) => task.title);

  beforeAll(async () => {
    projectId = await sharedProject();
  });

  it('when an editor moves a card after and before others, then 200 with the task, its ETag, and the board in that order for every member', async () => {
    const project = await sharedProject();
    const [a, b, c] = await tasksIn(project, ['a', 'b', 'c']);
    if (a === undefined || b === undefined || c === undefined) throw new Error('no fixture');
    const res = await move(bob, c.id, { afterId: a.id }).expect(200);
    expect(res.body).toMatchObject({ id: c.id, status: 'todo', version: 2 });
    expect(res.headers.etag).toBe(`"${c.id}-2"`);
    expect(titles(await board(project))).toEqual(['a', 'c', 'b']);
    // The viewer reads the same order (a write by one member is every member's next read).
    expect(titles(await board(project, 2, vic))).toEqual(['a', 'c', 'b']);
    await move(ada, a.id, { beforeId: b.id, afterId: c.id }).expect(200);
    expect(titles(await board(project, 1))).toEqual(['c', 'a', 'b']);
  });

  it('when a card moves to another column, then its status and completedAt change with it', async () => {
    const [a] = await tasksIn(projectId, ['to finish']);
    const [done] = await tasksIn(projectId, ['finished'], 'done');
    if (a === undefined || done === undefined) throw new Error('no fixture');
    const res = await move(bob, a.id, { status: 'done', beforeId: done.id }).expect(200);
    expect(res.body.status).toBe('done');
    expect(res.body.completedAt).toEqual(expect.any(String));
    expect(titles(await board(projectId), 'done').slice(-2)).toEqual(['to finish', 'finished']);
  });

  it('when If-Match names another version, then 412 and the card stays; the current ETag moves it', async () => {
    const [a, b] = await tasksIn(projectId, ['guarded', 'other']);
    if (a === undefined || b === undefined) throw new Error('no fixture');
    const stale = await move(ada, a.id, { afterId: b.id }).set('If-Match', `"${a.id}-7"`).expect(412);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await get(ada, `/api/v1/tasks/${a.id}`).expect(200)).body.version).toBe(1);
    await move(ada, a.id, { afterId: b.id }).set('If-Match', `"${a.id}-1"`).expect(200);
  });

  it('when the body or the neighbours are wrong, then 400 problem+json naming the field', async () => {
    const [a, b] = await tasksIn(projectId, ['x', 'y']);
    const [elsewhere] = await tasksIn(ada.id, ['in the inbox']);
    const [done] = await tasksIn(projectId, ['done one'], 'done');
    if (a === undefined || b === undefined || elsewhere === undefined || done === undefined)
      throw new Error('no fixture');
    const cases: [object, string][] = [
      [{ status: 'archived' }, 'status'],
      [{ afterId: 'nope' }, 'afterId'],
      [{ beforeId: 42 }, 'beforeId'],
      [{ afterId: { $ne: null } }, 'afterId'],
      [{ colour: 'red' }, 'colour'],
      [{ afterId: b.id, beforeId: b.id }, 'beforeId'],
      [{ afterId: elsewhere.id }, 'afterId'],
      [{ beforeId: done.id }, 'beforeId'],
      [{ afterId: a.id }, 'afterId'],
      [{ afterId: b.id, beforeId: b.id.replace(/.$/, (d) => (d === '0' ? '1' : '0')) }, 'beforeId'],
    ];
    for (const [body, field] of cases) {
      const res = await move(ada, a.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(
        res.body.errors.map((error: { path: string }) => error.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    const empty = await move(ada, a.id, {}).expect(400);
    expect(empty.body.errors).toHaveLength(1);
    expect((await get(ada, `/api/v1/tasks/${a.id}`).expect(200)).body.version).toBe(1);
  });

  it('when sort=position is asked without exactly one project, then 400 naming sort', async () => {
    for (const query of ['sort=position', `sort=position&projectId=${projectId},${ada.id}`]) {
      const res = await get(ada, `/api/v1/tasks?${query}`).expect(400);
      expect(res.body.errors).toEqual([{ path: 'sort', message: expect.stringMatching(/projectId/) }]);
    }
    await get(ada, `/api/v1/tasks?sort=-position&projectId=${projectId}`).expect(200);
  });

  it('when two members move cards of one column at the same time, then no card is lost or doubled and no two share a position', async () => {
    const project = await sharedProject();
    const cards = await tasksIn(
      project,
      Array.from({ length: 10 }, (_, i) => `card ${i}`),
    );
    const [anchor] = cards;
    if (anchor === undefined) throw new Error('no fixture');
    const moves = cards
      .slice(1)
      .map((card, i) =>
        move(i % 2 === 0 ? ada : bob, card.id, i % 3 === 0 ? { afterId: anchor.id } : { beforeId: anchor.id }),
      );
    for (const res of await Promise.all(moves)) expect(res.status).toBe(200);
    const after = await board(project, 4);
    expect(after.map((card) => card.id).sort()).toEqual(cards.map((card) => card.id).sort());
    expect(new Set(after.map((card) => card.position)).size).toBe(after.length);
    for (let i = 1; i < after.length; i += 1) {
      expect((after[i - 1] as WireTask).position < (after[i] as WireTask).position).toBe(true);
    }
  });

  it('when keys grow past the bound, then the column is rebalanced in the background and the order any reader sees stays', async () => {
    const project = await sharedProject();
    const [left, right, x, y] = await tasksIn(project, ['left', 'right', 'x', 'y']);
    if (left === undefined || right === undefined || x === undefined || y === undefined) throw new Error('no fixture');
    let longest = 0;
    let expected: string[] = [];
    for (let i = 0; longest <= POSITION_LENGTH_BOUND; i += 1) {
      const [mover, neighbour] = i % 2 === 0 ? [x, y] : [y, x];
      const res = await move(bob, mover.id, { afterId: left.id, beforeId: i === 0 ? right.id : neighbour.id });
      expect(res.status).toBe(200);
      longest = Math.max(longest, (res.body as WireTask).position.length);
      expected = i === 0 ? ['left', 'x', 'right', 'y'] : ['left', mover.title, neighbour.title, 'right'];
      // Whatever the rebalance has done so far, readers see the order of the moves.
      if (i % 20 === 0) expect(titles(await board(project))).toEqual(expected);
    }
    await expect
      .poll(async () => Math.max(...(await board(project)).map((card) => card.position.length)), { timeout: 5000 })
      .toBeLessThanOrEqual(4);
    expect(titles(await board(project))).toEqual(expected);
    // The rebalance moved nobody: the cards never moved keep version 1.
    const still = await board(project);
    expect(still.filter((card) => card.title === 'left' || card.title === 'right').map((card) => card.version)).toEqual(
      [1, 1],
    );
  });
});
