import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import type { Task, TaskList } from '@primo/api/contract/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, mockFetch, problem } from '../../test/fetch-mock';
import { alice, makeTask } from '../../test/fixtures';
import { taskKeys } from '../tasks';
import { TEMPORARY_ID_PREFIX } from '../../lib/pending-writes';
import { collidingFields, openOutbox, type Outbox } from './outbox';

/** The list of every task, newest first: what the task screen shows with no filter. */
const allTasks = taskKeys.list({
  project: '',
  assignee: '',
  status: [],
  priority: [],
  tag: '',
  q: '',
  sort: '-createdAt',
});

function setOnline(online: boolean): void {
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(online);
}

/** A server that keeps tasks in memory and checks `If-Match` like the API. */
function fakeServer(initial: Task[]) {
  const api = mockFetch();
  const tasks = new Map(initial.map((task) => [task.id, task]));
  let next = 0;
  api.on('POST', '/api/v1/tasks', (request) => {
    next += 1;
    const task = makeTask({ ...(request.body as Partial<Task>), id: `s${String(next).padStart(23, '0')}`, version: 1 });
    tasks.set(task.id, task);
    return json(201, task);
  });
  const current = (path: string) => tasks.get(path.split('/').pop() ?? '');
  const versionOf = (headers: Headers) => Number(/-(\d+)"$/.exec(headers.get('If-Match') ?? '')?.[1]);
  api.on('GET', /^\/api\/v1\/tasks\/\w+$/, (request) => {
    const task = current(request.url.pathname);
    return task ? json(200, task) : problem(404);
  });
  api.on('PATCH', /^\/api\/v1\/tasks\/\w+$/, (request) => {
    const task = current(request.url.pathname);
    if (!task) return problem(404);
    if (versionOf(request.headers) !== task.version) return problem(412, { title: 'Precondition Failed' });
    const changed = { ...task, ...(request.body as Partial<Task>), version: task.version + 1 };
    tasks.set(task.id, changed);
    return json(200, changed);
  });
  api.on('DELETE', /^\/api\/v1\/tasks\/\w+$/, (request) => {
    const task = current(request.url.pathname);
    if (!task) return problem(404);
    if (versionOf(request.headers) !== task.version) return problem(412, { title: 'Precondition Failed' });
    tasks.delete(task.id);
    return new Response(null, { status: 204 });
  });
  return { api, tasks };
}

function shownList(client: QueryClient): Task[] {
  return client.getQueryData<InfiniteData<TaskList>>(allTasks)?.pages.flatMap((page) => page.data) ?? [];
}

describe('outbox', () => {
  let outbox: Outbox;
  let client: QueryClient;

  beforeEach(async () => {
    client = new QueryClient();
    outbox = openOutbox(client, alice.id);
    await outbox.loaded;
  });
  afterEach(() => {
    outbox.close();
    vi.restoreAllMocks();
  });

  it('when tasks are created and edited offline, then the lists show them and going online sends each once, in order, with server ids', async () => {
    const existing = makeTask({ title: 'Existing' });
    const { api, tasks } = fakeServer([existing]);
    client.setQueryData(allTasks, { pages: [{ data: [existing], nextCursor: null }], pageParams: [null] });
    setOnline(false);

    const draft = await outbox.queueCreate({ title: 'Written on the train' }, 'key-create');
    await outbox.queueUpdate(draft, { priority: 'high' }, 'key-edit-new');
    await outbox.queueUpdate(existing, { status: 'done' }, 'key-edit-1');
    await outbox.queueUpdate({ ...existing, status: 'done' }, { title: 'Existing, renamed' }, 'key-edit-2');

    expect(draft.id.startsWith(TEMPORARY_ID_PREFIX)).toBe(true);
    expect(shownList(client).map(({ title, priority, status }) => [title, priority, status])).toEqual([
      ['Written on the train', 'high', 'todo'],
      ['Existing, renamed', 'medium', 'done'],
    ]);
    expect(api.requests).toHaveLength(0);

    setOnline(true);
    await outbox.flush();

    // Each task's changes in the order they were made (different tasks' may overlap).
    const keys = api.requests.map((request) => `${request.method} ${request.headers.get('Idempotency-Key')}`);
    expect([...keys].sort()).toEqual(['PATCH key-edit-1', 'PATCH key-edit-2', 'PATCH key-edit-new', 'POST key-create']);
    expect(keys.indexOf('POST key-create')).toBeLessThan(keys.indexOf('PATCH key-edit-new'));
    expect(keys.indexOf('PATCH key-edit-1')).toBeLessThan(keys.indexOf('PATCH key-edit-2'));
    const created = [...tasks.values()].find((task) => task.title === 'Written on the train');
    // The edit of the task created offline went to its server id, on the version the create returned.
    const sent = (key: string) => api.requests.find((request) => request.headers.get('Idempotency-Key') === key);
    expect(sent('key-edit-new')?.url.pathname).toBe(`/api/v1/tasks/${created?.id}`);
    expect(sent('key-edit-new')?.headers.get('If-Match')).toBe(`"${created?.id}-1"`);
    // The second edit of the existing task was made on the version the first one leaves.
    expect(sent('key-edit-2')?.headers.get('If-Match')).toBe(`"${existing.id}-2"`);
    expect(created?.priority).toBe('high');
    expect(tasks.get(existing.id)).toMatchObject({ title: 'Existing, renamed', status: 'done', version: 3 });
    expect(outbox.state.writes).toEqual([]);
    // The temporary id is gone from the lists, and an open form that still holds it finds the server's.
    expect(shownList(client).map((task) => task.id)).toEqual([created?.id, existing.id]);
    expect(outbox.resolve(draft)).toEqual({ id: created?.id, version: 1 });
  });

  it('when a task created offline is deleted before it was sent, then nothing about it reaches the server', async () => {
    const { api } = fakeServer([]);
    setOnline(false);
    const draft = await outbox.queueCreate({ title: 'Never mind' }, 'k1');
    await outbox.queueUpdate(draft, { title: 'Never mind at all' }, 'k2');
    await outbox.queueDelete(draft, 'k3');
    setOnline(true);
    await outbox.flush();
    expect(api.requests).toHaveLength(0);
    expect(outbox.state.writes).toEqual([]);
  });

  it('when someone else changed the task meanwhile, then its changes stop at a conflict with both versions, and merging keeps theirs where both changed', async () => {
    const task = makeTask({ title: 'Plan', description: 'old', priority: 'low' });
    const { api, tasks } = fakeServer([task]);
    setOnline(false);
    await outbox.queueUpdate(task, { title: 'Plan (mine)', description: 'mine' }, 'mine');
    await outbox.queueUpdate({ ...task, title: 'Plan (mine)' }, { status: 'in_progress' }, 'mine-later');
    // Bob, online meanwhile: a new title and a priority.
    tasks.set(task.id, { ...task, title: 'Plan (Bob)', priority: 'high', version: 2 });

    setOnline(true);
    await outbox.flush();
    const problemNow = outbox.state.problem;
    expect(problemNow).toMatchObject({ kind: 'conflict', theirs: { title: 'Plan (Bob)', version: 2 } });
    if (problemNow?.kind !== 'conflict' || problemNow.write.kind !== 'update') throw new Error('no conflict');
    expect(collidingFields(problemNow.write, problemNow.theirs)).toEqual(['title']);
    // The task's later change waits behind the conflict.
    expect(
      api.to('PATCH', `/api/v1/tasks/${task.id}`).map((request) => request.headers.get('Idempotency-Key')),
    ).toEqual(['mine']);

    await outbox.settle('merge');
    await outbox.flush();
    expect(tasks.get(task.id)).toMatchObject({
      title: 'Plan (Bob)',
      description: 'mine',
      priority: 'high',
      status: 'in_progress',
      version: 4,
    });
    const [, merged, later] = api.to('PATCH', `/api/v1/tasks/${task.id}`);
    expect(merged?.body).toEqual({ description: 'mine' });
    expect(merged?.headers.get('Idempotency-Key')).not.toBe('mine');
    // Made on the version the merge leaves.
    expect(later?.headers.get('If-Match')).toBe(`"${task.id}-3"`);
    expect(outbox.state).toMatchObject({ writes: [], problem: null });
  });

  it('when the person keeps their version, or takes theirs, then exactly that is what the server ends with', async () => {
    const first = makeTask({ title: 'One' });
    const second = makeTask({ title: 'Two' });
    const { tasks } = fakeServer([first, second]);
    setOnline(false);
    await outbox.queueUpdate(first, { title: 'One (mine)' }, 'a');
    await outbox.queueDelete(second, 'b');
    tasks.set(first.id, { ...first, title: 'One (theirs)', version: 2 });
    tasks.set(second.id, { ...second, title: 'Two (theirs)', version: 2 });
    setOnline(true);

    await outbox.flush();
    expect(outbox.state.problem?.kind).toBe('conflict');
    await outbox.settle('mine');
    await outbox.flush();
    expect(tasks.get(first.id)).toMatchObject({ title: 'One (mine)', version: 3 });
    expect(outbox.state.problem).toMatchObject({ kind: 'conflict', write: { kind: 'delete' } });
    await outbox.settle('theirs');
    await outbox.flush();
    expect(tasks.get(second.id)).toMatchObject({ title: 'Two (theirs)' });
    expect(outbox.state).toMatchObject({ writes: [], problem: null });
  });

  it('when the task was deleted meanwhile, then the change can be made into a new task rather than lost', async () => {
    const task = makeTask({ title: 'Gone soon' });
    const { tasks } = fakeServer([task]);
    setOnline(false);
    await outbox.queueUpdate(task, { description: 'my notes' }, 'a');
    tasks.delete(task.id);
    setOnline(true);
    await outbox.flush();
    expect(outbox.state.problem?.kind).toBe('gone');
    await outbox.settle('recreate');
    await outbox.flush();
    expect([...tasks.values()]).toEqual([expect.objectContaining({ title: 'Gone soon', description: 'my notes' })]);
  });

  it('when the server cannot be reached, then the write stays queued and goes out with its key once it answers', async () => {
    const task = makeTask();
    const { api, tasks } = fakeServer([task]);
    api.on('PATCH', /^\/api\/v1\/tasks\/\w+$/, () => Promise.reject(new TypeError('Failed to fetch')));
    await outbox.queueUpdate(task, { title: 'Eventually' }, 'same-key');
    await outbox.flush();
    expect(outbox.state.writes).toHaveLength(1);
    api.on('PATCH', /^\/api\/v1\/tasks\/\w+$/, (request) => {
      const changed = { ...task, ...(request.body as Partial<Task>), version: 2 };
      tasks.set(task.id, changed);
      return json(200, changed);
    });
    await vi.waitFor(() => expect(outbox.state.writes).toHaveLength(0), { timeout: 3000 });
    expect(
      api.to('PATCH', `/api/v1/tasks/${task.id}`).map((request) => request.headers.get('Idempotency-Key')),
    ).toEqual(['same-key', 'same-key']);
    expect(tasks.get(task.id)?.title).toBe('Eventually');
  });
});
