import { HttpError } from '../http/problem.js';
import { encodeCursor } from './task-query.js';
import type { NewTask, TaskChanges, TaskListQuery, TaskRecord, TaskRepository } from './tasks.repository.js';
import type { Task, TaskList, TaskStats } from './tasks.schemas.js';

/** The strong ETag of one task version. */
export function taskEtag(task: Pick<TaskRecord, 'id' | 'version'>): string {
  return `"${task.id}-${task.version}"`;
}

export function toTask(record: TaskRecord): Task {
  return {
    id: record.id,
    title: record.title,
    description: record.description,
    status: record.status,
    priority: record.priority,
    dueDate: record.dueDate?.toISOString() ?? null,
    tags: record.tags,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    completedAt: record.completedAt?.toISOString() ?? null,
    version: record.version,
  };
}

/**
 * What an `If-Match` header asks for: nothing, any existing version (`*`),
 * a specific version of this task, or something that can never match.
 */
export type Precondition =
  { kind: 'none' } | { kind: 'any' } | { kind: 'version'; version: number } | { kind: 'never' };

export function parseIfMatch(header: string | undefined, taskId: string): Precondition {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  if (header.trim() === '*') return { kind: 'any' };
  for (const raw of header.split(',')) {
    const tag = raw.trim().replace(/^W\//, '');
    const match = /^"([0-9a-f]{24})-(\d{1,9})"$/.exec(tag);
    if (match && match[1] === taskId) return { kind: 'version', version: Number(match[2]) };
  }
  return { kind: 'never' };
}

function preconditionFailed(current: TaskRecord): HttpError {
  return new HttpError(412, `The task has changed since you read it; it is now at version ${current.version}.`, {
    headers: { ETag: taskEtag(current) },
  });
}

const NOT_FOUND = 'No task with this id.';

export type WriteListener = (userId: string) => Promise<void>;

/** Task use cases; every call is scoped to the calling user, and every successful write notifies `onWrite`. */
export class TasksService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly onWrite: WriteListener,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(userId: string, input: Partial<NewTask> & { title: string }): Promise<TaskRecord> {
    const task = await this.tasks.create(
      userId,
      {
        title: input.title,
        description: input.description ?? '',
        status: input.status ?? 'todo',
        priority: input.priority ?? 'medium',
        dueDate: input.dueDate ?? null,
        tags: input.tags ?? [],
      },
      this.now(),
    );
    await this.onWrite(userId);
    return task;
  }

  async get(userId: string, id: string): Promise<TaskRecord> {
    const task = await this.tasks.findById(userId, id);
    if (task === null) throw HttpError.notFound(NOT_FOUND);
    return task;
  }

  async update(userId: string, id: string, changes: TaskChanges, ifMatch: Precondition): Promise<TaskRecord> {
    const expectedVersion = await this.expectedVersion(userId, id, ifMatch);
    const outcome = await this.tasks.update(userId, id, changes, { expectedVersion, now: this.now() });
    if (outcome.kind === 'not_found') throw HttpError.notFound(NOT_FOUND);
    if (outcome.kind === 'version_mismatch') throw preconditionFailed(outcome.current);
    await this.onWrite(userId);
    return outcome.task;
  }

  async delete(userId: string, id: string, ifMatch: Precondition): Promise<void> {
    const expectedVersion = await this.expectedVersion(userId, id, ifMatch);
    const outcome = await this.tasks.delete(userId, id, { expectedVersion });
    if (outcome.kind === 'not_found') throw HttpError.notFound(NOT_FOUND);
    if (outcome.kind === 'version_mismatch') throw preconditionFailed(outcome.current);
    await this.onWrite(userId);
  }

  async list(userId: string, query: TaskListQuery): Promise<TaskList> {
    const page = await this.tasks.list(userId, query);
    return {
      data: page.items.map(toTask),
      nextCursor: page.next === null ? null : encodeCursor(query.sort, page.next),
    };
  }

  stats(userId: string): Promise<TaskStats> {
    return this.tasks.stats(userId, this.now());
  }

  /** Maps If-Match onto the repository's version guard; a tag for another task can only fail (412) or not exist (404). */
  private async expectedVersion(userId: string, id: string, ifMatch: Precondition): Promise<number | undefined> {
    switch (ifMatch.kind) {
      case 'none':
      case 'any':
        return undefined;
      case 'version':
        return ifMatch.version;
      case 'never': {
        const current = await this.tasks.findById(userId, id);
        if (current === null) throw HttpError.notFound(NOT_FOUND);
        throw preconditionFailed(current);
      }
    }
  }
}
