import type { Clock } from '../domain/clock.js';
import { TaskNotFound, VersionConflict } from '../domain/errors.js';
import type { NewTask, TaskChanges, TaskListQuery, TaskPage, TaskRecord, TaskRepository } from './tasks.repository.js';
import type { TaskStatsRecord } from './tasks.repository.js';

/**
 * Which stored version a write may replace: whatever is current, exactly this version,
 * or none at all (the caller's copy names another task, so it can never be current).
 */
export type ExpectedVersion = { kind: 'any' } | { kind: 'version'; version: number } | { kind: 'unmatchable' };

export type WriteListener = (userId: string) => Promise<void>;

/** Task use cases; every call is scoped to the calling user, and every successful write notifies `onWrite`. */
export class TasksService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly onWrite: WriteListener,
    private readonly clock: Clock,
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
      this.clock(),
    );
    await this.onWrite(userId);
    return task;
  }

  async get(userId: string, id: string): Promise<TaskRecord> {
    const task = await this.tasks.findById(userId, id);
    if (task === null) throw new TaskNotFound();
    return task;
  }

  async update(userId: string, id: string, changes: TaskChanges, expected: ExpectedVersion): Promise<TaskRecord> {
    const expectedVersion = await this.versionGuard(userId, id, expected);
    const outcome = await this.tasks.update(userId, id, changes, { expectedVersion, now: this.clock() });
    if (outcome.kind === 'not_found') throw new TaskNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('task', outcome.current);
    await this.onWrite(userId);
    return outcome.task;
  }

  async delete(userId: string, id: string, expected: ExpectedVersion): Promise<void> {
    const expectedVersion = await this.versionGuard(userId, id, expected);
    const outcome = await this.tasks.delete(userId, id, { expectedVersion });
    if (outcome.kind === 'not_found') throw new TaskNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('task', outcome.current);
    await this.onWrite(userId);
  }

  list(userId: string, query: TaskListQuery): Promise<TaskPage> {
    return this.tasks.list(userId, query);
  }

  stats(userId: string): Promise<TaskStatsRecord> {
    return this.tasks.stats(userId, this.clock());
  }

  /** Maps the expectation onto the repository's version guard; an unmatchable one can only fail (412) or not exist (404). */
  private async versionGuard(userId: string, id: string, expected: ExpectedVersion): Promise<number | undefined> {
    switch (expected.kind) {
      case 'any':
        return undefined;
      case 'version':
        return expected.version;
      case 'unmatchable': {
        const current = await this.tasks.findById(userId, id);
        if (current === null) throw new TaskNotFound();
        throw new VersionConflict('task', current);
      }
    }
  }
}
