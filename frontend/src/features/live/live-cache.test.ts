import type { Change, Task, TaskList } from '@primo/api/contract/wire';
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { beforeEach, describe, expect, it } from 'vitest';
import { alice, bob, makeChange, makeTask } from '../../test/fixtures';
import { applyChange } from './live-cache';

const listKey = ['tasks', 'list', { project: '' }];
const boardKey = ['tasks', 'board', 'p1', {}];
const detailKey = (id: string) => ['tasks', 'detail', id];

const change = (task: Task, overrides: Partial<Change>) =>
  makeChange(task, { seq: String(Math.random()), ...overrides });

describe('applying a live change to the cache', () => {
  let client: QueryClient;
  let task: Task;
  let other: Task;

  const listed = () => client.getQueryData<InfiniteData<TaskList>>(listKey)?.pages.flatMap((page) => page.data) ?? [];
  const boarded = () => client.getQueryData<Task[]>(boardKey) ?? [];

  beforeEach(() => {
    client = new QueryClient();
    task = makeTask({ version: 3 });
    other = makeTask();
    client.setQueryData<InfiniteData<TaskList>>(listKey, {
      pages: [{ data: [task, other], nextCursor: null }],
      pageParams: [null],
    });
    client.setQueryData<Task[]>(boardKey, [task, other]);
    client.setQueryData<Task>(detailKey(task.id), task);
  });

  it("patches every cached copy of a teammate's update at the next version, then refetches", () => {
    const refresh = applyChange(
      client,
      change(task, {
        fields: [
          { field: 'status', from: 'todo', to: 'done' },
          { field: 'title', from: task.title, to: 'Renamed' },
        ],
      }),
      alice.id,
    );
    for (const copy of [listed()[0], boarded()[0], client.getQueryData<Task>(detailKey(task.id))]) {
      expect(copy).toMatchObject({
        id: task.id,
        version: 4,
        status: 'done',
        title: 'Renamed',
        completedAt: '2026-03-01T10:00:00.000Z',
        updatedAt: '2026-03-01T10:00:00.000Z',
      });
    }
    // Filters, order and counts may have changed with it: the views are asked again.
    expect(refresh).toBe('everything');
    expect(listed()[1]).toBe(other);
  });

  it('leaves the cache alone for the echo of a write it already holds, so nothing flickers', () => {
    const before = client.getQueryData(listKey);
    const echo = change(task, { version: 3, actor: { id: alice.id, name: alice.name } });
    expect(applyChange(client, echo, alice.id)).toBe('none');
    expect(client.getQueryData(listKey)).toBe(before);
    expect(applyChange(client, change(task, { version: 2 }), alice.id)).toBe('none');
  });

  it('does not patch across a gap in versions; the refetch brings the current task', () => {
    const refresh = applyChange(
      client,
      change(task, { version: 6, fields: [{ field: 'title', from: 'x', to: 'Much later' }] }),
      alice.id,
    );
    expect(refresh).toBe('everything');
    expect(listed()[0]).toEqual(task);
  });

  it('removes a deleted task everywhere it is cached', () => {
    expect(applyChange(client, change(task, { type: 'task.deleted' }), alice.id)).toBe('everything');
    expect(listed().map(({ id }) => id)).toEqual([other.id]);
    expect(boarded().map(({ id }) => id)).toEqual([other.id]);
  });

  it("needs nothing for this browser's own delete, which already left the cache", () => {
    const gone = makeTask();
    const own = change(gone, { type: 'task.deleted', actor: { id: alice.id, name: alice.name } });
    expect(applyChange(client, own, alice.id)).toBe('none');
    const theirs = change(gone, { type: 'task.deleted' });
    expect(applyChange(client, theirs, alice.id)).toBe('everything');
  });

  it('refetches for a new task unless it is already cached', () => {
    const fresh = makeTask();
    expect(applyChange(client, change(fresh, { type: 'task.created', version: 1 }), alice.id)).toBe('everything');
    expect(applyChange(client, change(other, { type: 'task.created', version: 1 }), alice.id)).toBe('none');
  });

  it('refetches projects for membership changes, and everything when the person joins or leaves', () => {
    const member = (type: Change['type'], userId: string) =>
      applyChange(client, change(task, { type, entityId: userId, version: 1 }), alice.id);
    expect(member('member.added', bob.id)).toBe('projects');
    expect(member('member.updated', alice.id)).toBe('projects');
    expect(member('member.removed', alice.id)).toBe('everything');
    expect(member('member.added', alice.id)).toBe('everything');
    expect(member('project.updated', task.projectId)).toBe('projects');
    expect(member('project.deleted', task.projectId)).toBe('everything');
  });
});
