import type { Change } from '@primo/api/contract/wire';
import { describe, expect, it } from 'vitest';
import { describeChange, timeAgo } from './task-activity';

const base: Change = {
  seq: '1',
  projectId: 'p',
  type: 'task.updated',
  entityId: 't',
  version: 2,
  actor: { id: 'u1', name: 'Ada' },
  at: '2026-03-01T10:00:00.000Z',
  fields: [],
};
const names = (id: string) => (id === 'u2' ? 'Bob' : 'you');

describe('a task history entry', () => {
  it('says what each changed field became, in words', () => {
    const change: Change = {
      ...base,
      fields: [
        { field: 'status', from: 'todo', to: 'in_progress' },
        { field: 'priority', from: 'medium', to: 'urgent' },
        { field: 'assigneeId', from: null, to: 'u2' },
        { field: 'tags', from: [], to: ['home', 'bills'] },
      ],
    };
    expect(describeChange(change, names)).toBe(
      'moved it to In progress, set the priority to Urgent, assigned it to Bob, set the tags to #home #bills',
    );
    expect(
      describeChange(
        {
          ...base,
          fields: [
            { field: 'assigneeId', from: 'u2', to: null },
            { field: 'dueDate', from: '2026-03-01T10:00:00.000Z', to: null },
          ],
        },
        names,
      ),
    ).toBe('unassigned it, removed the due date');
    expect(describeChange({ ...base, type: 'task.created', version: 1 }, names)).toBe('created it');
  });

  it('says how long ago, in the largest unit that fits', () => {
    const now = Date.parse('2026-03-01T12:00:00.000Z');
    expect(timeAgo('2026-03-01T11:59:57.000Z', now)).toBe('now');
    expect(timeAgo('2026-03-01T11:58:00.000Z', now)).toBe('2 minutes ago');
    expect(timeAgo('2026-03-01T09:00:00.000Z', now)).toBe('3 hours ago');
    expect(timeAgo('2026-02-28T12:00:00.000Z', now)).toBe('yesterday');
  });
});
