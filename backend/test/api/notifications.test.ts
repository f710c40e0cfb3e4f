import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

interface NotificationBody {
  id: string;
  type: string;
  read: boolean;
  createdAt: string;
  actor?: { id: string; name: string };
  task?: { id: string; title: string; projectId: string };
  project?: { id: string; name: string };
}
interface ListBody {
  data: NotificationBody[];
  nextCursor: string | null;
  unreadCount: number;
}

describe('notifications: reminders, assignments, joins and repeating tasks', () => {
  let t: TestApp;
  // The clock the services and the background work read; moved forward to make reminders fall due.
  let now = Date.now();
  let ada: TestUser;
  let bob: TestUser;
  let projectId: string;

  beforeAll(async () => {
    // Background work runs only when a test steps it, so every delivery below is the test's doing.
    t = await createTestApp({ clock: () => new Date(now), env: { JOBS_IN_PROCESS: 'true', JOBS_POLL_MS: '60000' } });
    ada = await registerUser(t.app, { name: 'Ada' });
    bob = await registerUser(t.app, { name: 'Bob' });
    const project = await request(t.app).post('/api/v1/projects').set(ada.auth).send({ name: 'Garden' }).expect(201);
    projectId = project.body.id;
    await join(bob, 'editor');
  });
  afterAll(async () => {
    await t.close();
  });

  async function join(user: TestUser, role: string) {
    const invitation = await request(t.app)
      .post(`/api/v1/projects/${projectId}/invitations`)
      .set(ada.auth)
      .send({ email: user.email, role })
      .expect(201);
    await request(t.app)
      .post('/api/v1/invitations/accept')
      .set(user.auth)
      .send({ token: invitation.body.token })
      .expect(200);
  }
  /** Runs the background work until it has nothing left, as the poll would. */
  async function work() {
    const jobs = t.runtime.jobs;
    if (jobs === null) throw new Error('background work does not run in this process');
    while (await jobs.step()) {
      // a full batch: go on
    }
  }
  const list = async (user: TestUser, query = '') =>
    (await request(t.app).get(`/api/v1/notifications${query}`).set(user.auth).expect(200)).body as ListBody;
  const createTask = async (user: TestUser, body: Record<string, unknown>) =>
    (
      await request(t.app)
        .post('/api/v1/tasks')
        .set(user.auth)
        .send({ projectId, ...body })
        .expect(201)
    ).body as {
      id: string;
      version: number;
    };
  const patch = (user: TestUser, id: string, body: Record<string, unknown>) =>
    request(t.app).patch(`/api/v1/tasks/${id}`).set(user.auth).send(body).expect(200);
  const readAll = async (...users: TestUser[]) => {
    for (const user of users)
      await request(t.app).post('/api/v1/notifications/read').set(user.auth).send({ all: true }).expect(204);
  };

  it('when a reminder falls due, then the assignee is reminded once, however often the work runs', async () => {
    await work();
    await readAll(ada, bob);
    const remindAt = new Date(now + 5 * MINUTE).toISOString();
    const task = await createTask(ada, { title: 'Water the roses', remindAt, assigneeId: bob.id });
    await work();
    // Assigned now, reminded only once it is due.
    expect((await list(bob, '?unread=true')).data.map((n) => n.type)).toEqual(['assigned']);
    now += 5 * MINUTE + 1000;
    await work();
    await work();
    const bobs = await list(bob, '?unread=true');
    expect(bobs.data.map((n) => n.type)).toEqual(['reminder', 'assigned']);
    expect(bobs.unreadCount).toBe(2);
    expect(bobs.data[0]).toMatchObject({
      type: 'reminder',
      read: false,
      task: { id: task.id, title: 'Water the roses', projectId },
      project: { id: projectId, name: 'Garden' },
    });
    expect(bobs.data[0]?.actor).toBeUndefined();
    expect(bobs.data[1]).toMatchObject({ type: 'assigned', actor: { id: ada.id, name: 'Ada' } });
    expect((await list(ada, '?unread=true')).data).toEqual([]);
  });

  it('when a reminder is moved, then it arrives at the new time only; completing or deleting cancels it', async () => {
    await readAll(ada, bob);
    const task = await createTask(ada, { title: 'Mulch', remindAt: new Date(now + 2 * MINUTE).toISOString() });
    await patch(ada, task.id, { remindAt: new Date(now + 4 * MINUTE).toISOString() });
    now += 3 * MINUTE;
    await work();
    expect((await list(ada, '?unread=true')).data).toEqual([]);
    now += 2 * MINUTE;
    await work();
    expect((await list(ada, '?unread=true')).data.map((n) => [n.type, n.task?.title])).toEqual([['reminder', 'Mulch']]);

    const completed = await createTask(ada, { title: 'Prune', remindAt: new Date(now + MINUTE).toISOString() });
    await patch(ada, completed.id, { status: 'done' });
    const deleted = await createTask(ada, { title: 'Weed', remindAt: new Date(now + MINUTE).toISOString() });
    await request(t.app).delete(`/api/v1/tasks/${deleted.id}`).set(ada.auth).expect(204);
    // Reassigned before it falls due: the new assignee is reminded, not the creator.
    const moved = await createTask(ada, { title: 'Rake', remindAt: new Date(now + MINUTE).toISOString() });
    await patch(ada, moved.id, { assigneeId: bob.id });
    now += 2 * MINUTE;
    await work();
    expect((await list(ada, '?unread=true')).data.map((n) => n.task?.title)).toEqual(['Mulch']);
    expect((await list(bob, '?unread=true')).data.map((n) => [n.type, n.task?.title])).toEqual([
      ['reminder', 'Rake'],
      ['assigned', 'Rake'],
    ]);
  });

  it('when someone assigns themselves or is assigned by another, then only an assignment by another is told', async () => {
    await readAll(ada, bob);
    const task = await createTask(bob, { title: 'Compost' });
    await patch(bob, task.id, { assigneeId: bob.id });
    await patch(bob, task.id, { assigneeId: ada.id });
    // Created already assigned, then reassigned before the work ran: still told to the first assignee.
    const early = await createTask(ada, { title: 'Seeds', assigneeId: bob.id });
    await patch(ada, early.id, { assigneeId: null });
    await work();
    expect((await list(bob, '?unread=true')).data.map((n) => [n.type, n.task?.title])).toEqual([['assigned', 'Seeds']]);
    const adas = await list(ada, '?unread=true');
    expect(adas.data.map((n) => [n.type, n.task?.title, n.actor?.name])).toEqual([['assigned', 'Compost', 'Bob']]);
  });

  it('when someone joins, then the other members are told and the newcomer is not', async () => {
    await readAll(ada, bob);
    const carol = await registerUser(t.app, { name: 'Carol' });
    await join(carol, 'viewer');
    await work();
    for (const member of [ada, bob]) {
      const { data } = await list(member, '?unread=true');
      expect(data).toEqual([
        expect.objectContaining({
          type: 'member.added',
          actor: { id: carol.id, name: 'Carol' },
          project: { id: projectId, name: 'Garden' },
        }),
      ]);
      expect(data[0]?.task).toBeUndefined();
    }
    expect((await list(carol)).data).toEqual([]);
  });

  it('when a repeating task is completed, then its next occurrence is created once, until the rule is spent', async () => {
    const due = Date.UTC(2030, 0, 7, 9); // a Monday
    const task = await createTask(ada, {
      title: 'Sharpen shears',
      dueDate: new Date(due).toISOString(),
      priority: 'high',
      tags: ['tools'],
      assigneeId: bob.id,
      remindAt: new Date(due - 30 * MINUTE).toISOString(),
      recurrence: { rule: 'FREQ=WEEKLY;COUNT=2', from: 'due' },
    });
    await patch(bob, task.id, { status: 'done' });
    // The completion replayed (a retry, a second run of the work): still one next occurrence.
    await work();
    await work();
    const found = async () =>
      (
        await request(t.app)
          .get(`/api/v1/tasks?projectId=${projectId}&q=${encodeURIComponent('Sharpen shears')}`)
          .set(ada.auth)
          .expect(200)
      ).body.data as Array<Record<string, unknown>>;
    const open = (await found()).filter((item) => item.status === 'todo');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      title: 'Sharpen shears',
      priority: 'high',
      tags: ['tools'],
      assigneeId: bob.id,
      projectId,
      dueDate: new Date(due + 7 * DAY).toISOString(),
      remindAt: new Date(due + 7 * DAY - 30 * MINUTE).toISOString(),
      recurrence: { rule: 'FREQ=WEEKLY;COUNT=1', from: 'due' },
    });
    // Reopened and completed again: the occurrence it already has is not made a second time.
    await patch(bob, task.id, { status: 'todo' });
    await patch(bob, task.id, { status: 'done' });
    await work();
    expect(await found()).toHaveLength(2);
    // The last occurrence of the rule creates none.
    await patch(bob, String(open[0]?.id), { status: 'done' });
    await work();
    expect(await found()).toHaveLength(2);
  });

  it('when notifications are paged and marked read, then pages follow nextCursor and the unread count follows the marks', async () => {
    await readAll(ada, bob);
    for (let i = 0; i < 5; i += 1) {
      const task = await createTask(ada, { title: `Bed ${i}` });
      await patch(ada, task.id, { assigneeId: bob.id });
    }
    await work();
    const first = await list(bob, '?unread=true&limit=2');
    expect(first.data.map((n) => n.task?.title)).toEqual(['Bed 4', 'Bed 3']);
    expect(first.unreadCount).toBe(5);
    const rest = await list(bob, `?unread=true&limit=10&cursor=${first.nextCursor ?? ''}`);
    expect(rest.data.map((n) => n.task?.title)).toEqual(['Bed 2', 'Bed 1', 'Bed 0']);
    expect(rest.nextCursor).toBeNull();

    // Ada cannot mark Bob's notifications; Bob marks two of his own.
    await request(t.app)
      .post('/api/v1/notifications/read')
      .set(ada.auth)
      .send({ ids: [first.data[0]?.id] })
      .expect(204);
    expect((await list(bob)).unreadCount).toBe(5);
    await request(t.app)
      .post('/api/v1/notifications/read')
      .set(bob.auth)
      .send({ ids: first.data.map((n) => n.id) })
      .expect(204);
    const after = await list(bob);
    expect(after.unreadCount).toBe(3);
    expect(after.data.slice(0, 2).map((n) => n.read)).toEqual([true, true]);
    await request(t.app).post('/api/v1/notifications/read').set(bob.auth).send({ all: true }).expect(204);
    expect((await list(bob, '?unread=true')).data).toEqual([]);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?unread=yes', 'unread'],
    ['?cursor=nope', 'cursor'],
    ['?other=1', 'other'],
  ])('when the list is asked for with %s, then 400 names %s', async (query, field) => {
    const res = await request(t.app).get(`/api/v1/notifications${query}`).set(ada.auth).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: field })]);
  });

  it.each([
    ['no field', 'ids', {}],
    ['no ids', 'ids', { ids: [] }],
    ['a malformed id', 'ids.0', { ids: ['nope'] }],
    ['all false', 'all', { all: false }],
    ['101 ids', 'ids', { ids: Array.from({ length: 101 }, () => 'a'.repeat(24)) }],
    ['both', 'ids', { all: true, ids: ['a'.repeat(24)] }],
    ['not an object', 'body', ['a'.repeat(24)]],
  ])('when marking read is sent %s, then 400 names %s and nothing is marked', async (_label, field, body) => {
    const before = (await list(bob)).unreadCount;
    const res = await request(t.app).post('/api/v1/notifications/read').set(bob.auth).send(body).expect(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toContain(field);
    expect((await list(bob)).unreadCount).toBe(before);
  });

  it('when no token is sent, then both routes answer 401', async () => {
    await request(t.app).get('/api/v1/notifications').expect(401);
    await request(t.app).post('/api/v1/notifications/read').send({ all: true }).expect(401);
  });
});
