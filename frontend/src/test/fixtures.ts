import type { Task, User } from '@primo/api/contract/wire';
import { json, type FetchMock } from './fetch-mock';

export const alice: User = {
  id: 'u1',
  email: 'alice@example.com',
  name: 'Alice',
  createdAt: '2026-01-01T00:00:00.000Z',
};

let sequence = 0;

export function makeTask(overrides: Partial<Task> = {}): Task {
  sequence += 1;
  const id = overrides.id ?? `t${String(sequence).padStart(23, '0')}`;
  return {
    id,
    projectId: alice.id,
    assigneeId: null,
    createdBy: alice.id,
    title: `Task ${sequence}`,
    description: '',
    status: 'todo',
    priority: 'medium',
    dueDate: null,
    tags: [],
    createdAt: '2026-01-02T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    completedAt: null,
    version: 1,
    ...overrides,
  };
}

/** Answers the SPA's silent refresh as a signed-in session would. */
export function signedIn(api: FetchMock, user: User = alice): void {
  api.on('POST', '/api/v1/auth/refresh', () =>
    json(200, { user, accessToken: 'access-1', refreshToken: 'must-not-be-stored' }),
  );
}
