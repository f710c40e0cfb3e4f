import type { UserRepository } from '../auth/users.repository.js';
import type { Clock } from '../domain/clock.js';
import { Gone, TaskNotFound } from '../domain/errors.js';
import { personalProjectId } from '../projects/project.model.js';
import type { ProjectRepository } from '../projects/projects.repository.js';
import type { TaskRepository } from '../tasks/tasks.repository.js';
import { CHANGE_RETENTION_DAYS_MIN, type ChangeRecord, type ChangeView } from './change.model.js';
import type { ChangeRepository } from './changes.repository.js';

const DAY_MS = 86_400_000;

export interface ChangesServiceDeps {
  changes: ChangeRepository;
  projects: ProjectRepository;
  tasks: TaskRepository;
  users: UserRepository;
  clock: Clock;
  /** How long changes are kept (at least CHANGE_RETENTION_DAYS_MIN days). */
  retentionDays: number;
}

const historyGone = () =>
  new Gone(
    'changes-gone',
    'Changes after this position are no longer kept; reload everything, then continue from the new nextCursor.',
  );

/**
 * Reads of the change log: the catch-up feed over the caller's current projects and one task's
 * activity, each change with its actor's name.
 */
export class ChangesService {
  constructor(private readonly deps: ChangesServiceDeps) {
    if (!Number.isInteger(deps.retentionDays) || deps.retentionDays < CHANGE_RETENTION_DAYS_MIN) {
      throw new RangeError(`change retention must be at least ${CHANGE_RETENTION_DAYS_MIN} days`);
    }
  }

  /**
   * Changes after `since`, oldest first, and the position to continue from. Without `since`, none:
   * the position is the newest one, to start following from now. A position older than the kept
   * history, or newer than any handed out (another store, a restored backup), is gone (410).
   */
  async list(
    userId: string,
    since: number | undefined,
    limit: number,
  ): Promise<{ items: ChangeView[]; cursor: number }> {
    // Read first: every change up to `head` has committed, so a page that finds none of the
    // caller's changes may continue from `head` without skipping one that commits later.
    const { head, oldest } = await this.deps.changes.bounds();
    if (since === undefined) return { items: [], cursor: head };
    if (since > head || since < (oldest ?? head + 1) - 1) throw historyGone();
    const projectIds = (await this.deps.projects.membershipsOf(userId)).map((membership) => membership.projectId);
    const found = await this.deps.changes.listFor(userId, projectIds, since, limit);
    const last = found.at(-1)?.seq ?? since;
    const cursor = found.length < limit ? Math.max(last, head) : last;
    return { items: await this.withActors(found), cursor };
  }

  /** One visible task's changes, newest first, and the position to continue from (null: no more). */
  async activity(
    userId: string,
    taskId: string,
    options: { before?: number; limit: number },
  ): Promise<{ items: ChangeView[]; next: number | null }> {
    const task = await this.deps.tasks.findById(taskId);
    const visible =
      task !== null &&
      (task.projectId === personalProjectId(userId) ||
        (await this.deps.projects.roleOf(userId, task.projectId)) !== null);
    if (!visible) throw new TaskNotFound();
    const found = await this.deps.changes.forTask(taskId, { ...options, limit: options.limit + 1 });
    const page = found.slice(0, options.limit);
    const next = found.length > options.limit ? (page.at(-1)?.seq ?? null) : null;
    return { items: await this.withActors(page), next };
  }

  /** Drops changes older than the retention; answers how many went. */
  prune(): Promise<number> {
    return this.deps.changes.prune(new Date(this.deps.clock().getTime() - this.deps.retentionDays * DAY_MS));
  }

  private async withActors(changes: readonly ChangeRecord[]): Promise<ChangeView[]> {
    const ids = [...new Set(changes.map((change) => change.actorId))];
    const users = await Promise.all(ids.map((id) => this.deps.users.findById(id)));
    const names = new Map(ids.map((id, i) => [id, users[i]?.name ?? '']));
    return changes.map((change) => ({ ...change, actorName: names.get(change.actorId) ?? '' }));
  }
}
