import type { Clock } from '../domain/clock.js';
import type { IdempotentWrite } from '../idempotency/idempotency.model.js';
import { InvalidInput, ProjectNotFound, TaskNotFound, VersionConflict } from '../domain/errors.js';
import { versionGuardOf, type ExpectedVersion } from '../domain/expected-version.js';
import { authorize } from '../projects/access-policy.js';
import type { ChangeListener } from '../projects/change-notifier.js';
import { personalProjectId, type ProjectRole } from '../projects/project.model.js';
import type { ProjectRepository } from '../projects/projects.repository.js';
import { POSITION_LENGTH_BOUND } from './board-order.js';
import type { TaskStatus } from './task.model.js';
import type {
  BoardPlacement,
  NewTask,
  TaskChanges,
  TaskListQuery,
  TaskPage,
  TaskRecord,
  TaskRepository,
  TaskStatsRecord,
} from './tasks.repository.js';

/** Whose tasks a list or stats asks for: `me`, a user id, or `none` (unassigned). */
export type AssigneeParam = 'me' | 'none' | (string & {});

/** Which of the caller's projects a list or stats covers, and for which assignee. */
export interface TaskScope {
  /** Absent: every project the caller is a member of. */
  projectIds?: readonly string[];
  assignee?: AssigneeParam;
}

export type NewTaskInput = Partial<NewTask> & { title: string; projectId?: string };

/** Where a move asks to put a task: a column (default: its own) and neighbours. */
export type MoveInput = Partial<BoardPlacement>;

/**
 * Runs work after the request that asked for it has been answered (a column rebalance); the runner
 * reports its failures, since nobody awaits it.
 */
export type BackgroundRunner = (name: string, work: () => Promise<void>) => void;

const notAMember = () =>
  new InvalidInput(
    [{ path: 'assigneeId', message: 'must be a member of the project' }],
    'The assignee is not a member of the project.',
  );

/** A reminder must lie ahead: one in the past could never be delivered at its time. */
function checkRemindAt(remindAt: Date | null | undefined, now: Date): void {
  if (remindAt === undefined || remindAt === null || remindAt > now) return;
  throw new InvalidInput(
    [{ path: 'remindAt', message: 'must be in the future' }],
    'A reminder must be set for a time that has not passed yet.',
  );
}

/**
 * Task use cases. Every call is made by one user and decided by the access policy from their
 * membership of the task's project: a non-member finds nothing (404), a viewer may only read (403).
 * Every successful write is told to `onChange` with the projects it touched.
 */
export class TasksService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly projects: ProjectRepository,
    private readonly onChange: ChangeListener,
    private readonly clock: Clock,
    private readonly background: BackgroundRunner,
  ) {}

  /** Columns whose rebalance is scheduled or running in this process, as `project:status`. */
  private readonly rebalancing = new Set<string>();

  /** Every write given an `idempotent` claim keeps its response with the write (see IdempotentWrite). */
  async create(userId: string, input: NewTaskInput, idempotent?: IdempotentWrite<TaskRecord>): Promise<TaskRecord> {
    const projectId = input.projectId ?? personalProjectId(userId);
    authorize(await this.roleIn(userId, projectId), 'tasks.write');
    const assigneeId = input.assigneeId ?? null;
    const now = this.clock();
    checkRemindAt(input.remindAt, now);
    if (assigneeId !== null && (await this.projects.roleOf(assigneeId, projectId)) === null) throw notAMember();
    const task = await this.tasks.create(
      projectId,
      userId,
      {
        title: input.title,
        description: input.description ?? '',
        status: input.status ?? 'todo',
        priority: input.priority ?? 'medium',
        dueDate: input.dueDate ?? null,
        tags: input.tags ?? [],
        assigneeId,
        remindAt: input.remindAt ?? null,
        recurrence: input.recurrence ?? null,
      },
      now,
      idempotent,
    );
    await this.notify(userId, [projectId]);
    return task;
  }

  async get(userId: string, id: string): Promise<TaskRecord> {
    const { task } = await this.visibleTask(userId, id);
    return task;
  }

  /**
   * Applies `changes`; a `projectId` moves the task, which needs write access in both projects. A
   * moved task keeps its assignee when they are a member of the new project and is unassigned otherwise
   * (an `assigneeId` given with the move must be a member of the new project).
   */
  async update(
    userId: string,
    id: string,
    changes: TaskChanges,
    expected: ExpectedVersion,
    idempotent?: IdempotentWrite<TaskRecord>,
  ): Promise<TaskRecord> {
    const { task, role } = await this.visibleTask(userId, id);
    authorize(role, 'tasks.write');
    const now = this.clock();
    checkRemindAt(changes.remindAt, now);
    const target = changes.projectId ?? task.projectId;
    const applied: TaskChanges = { ...changes };
    if (target !== task.projectId) {
      const targetRole = await this.projects.roleOf(userId, target);
      if (targetRole === null) throw new ProjectNotFound();
      authorize(targetRole, 'tasks.write');
      if (
        changes.assigneeId === undefined &&
        task.assigneeId !== null &&
        (await this.projects.roleOf(task.assigneeId, target)) === null
      ) {
        applied.assigneeId = null;
      }
    }
    if (typeof changes.assigneeId === 'string' && (await this.projects.roleOf(changes.assigneeId, target)) === null) {
      throw notAMember();
    }
    const outcome = await this.tasks.update(task.projectId, id, applied, {
      expectedVersion: versionGuardOf(expected),
      now,
      actorId: userId,
      ...(idempotent === undefined ? {} : { idempotent }),
    });
    if (outcome.kind === 'not_found') throw new TaskNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('task', outcome.current);
    await this.notify(userId, [task.projectId, target]);
    return outcome.task;
  }

  /**
   * Moves a task on its project's board (see TaskRepository.move); the neighbours must be tasks of the
   * same project in the target column. When the new position grows past POSITION_LENGTH_BOUND, the
   * column is rebalanced after the answer, so keys stay short without the move paying for it.
   */
  async move(userId: string, id: string, input: MoveInput, expected: ExpectedVersion): Promise<TaskRecord> {
    const { task, role } = await this.visibleTask(userId, id);
    authorize(role, 'tasks.write');
    const placement: BoardPlacement = { ...input, status: input.status ?? task.status };
    const outcome = await this.tasks.move(task.projectId, id, placement, {
      expectedVersion: versionGuardOf(expected),
      now: this.clock(),
      actorId: userId,
    });
    if (outcome.kind === 'not_found') throw new TaskNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('task', outcome.current);
    if (outcome.kind === 'bad_neighbour') {
      throw new InvalidInput(
        [{ path: outcome.field, message: outcome.message }],
        'The task cannot be placed next to that task.',
      );
    }
    await this.notify(userId, [task.projectId]);
    if (outcome.task.position.length > POSITION_LENGTH_BOUND) {
      this.rebalanceLater(userId, task.projectId, outcome.task.status);
    }
    return outcome.task;
  }

  /** Schedules one rebalance of a column (at most one at a time per column in this process). */
  private rebalanceLater(userId: string, projectId: string, status: TaskStatus): void {
    const key = `${projectId}:${status}`;
    if (this.rebalancing.has(key)) return;
    this.rebalancing.add(key);
    this.background(`rebalance board column ${key}`, async () => {
      try {
        if ((await this.tasks.rebalanceColumn(projectId, status)) > 0) await this.notify(userId, [projectId]);
      } finally {
        this.rebalancing.delete(key);
      }
    });
  }

  async delete(
    userId: string,
    id: string,
    expected: ExpectedVersion,
    idempotent?: IdempotentWrite<null>,
  ): Promise<void> {
    const { task, role } = await this.visibleTask(userId, id);
    authorize(role, 'tasks.write');
    const outcome = await this.tasks.delete(task.projectId, id, {
      expectedVersion: versionGuardOf(expected),
      now: this.clock(),
      actorId: userId,
      ...(idempotent === undefined ? {} : { idempotent }),
    });
    if (outcome.kind === 'not_found') throw new TaskNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('task', outcome.current);
    await this.notify(userId, [task.projectId]);
  }

  async list(userId: string, query: TaskListQuery, scope: TaskScope = {}): Promise<TaskPage> {
    const { projectIds, assignee } = await this.resolveScope(userId, scope);
    return this.tasks.list(projectIds, { ...query, filter: { ...query.filter, ...assignee } });
  }

  async stats(userId: string, scope: TaskScope = {}): Promise<TaskStatsRecord> {
    const { projectIds, assignee } = await this.resolveScope(userId, scope);
    return this.tasks.stats(projectIds, { ...assignee, now: this.clock() });
  }

  /** The task and the caller's role in its project; a task in a project they are not in is not found. */
  private async visibleTask(userId: string, id: string): Promise<{ task: TaskRecord; role: ProjectRole }> {
    const task = await this.tasks.findById(id);
    const role = task === null ? null : await this.roleIn(userId, task.projectId);
    if (task === null || role === null) throw new TaskNotFound();
    return { task, role };
  }

  /**
   * The caller's role. Their own personal project has no other member and them as its owner (it
   * cannot be shared), so it needs no lookup; registration and the migrations create it.
   */
  private async roleIn(userId: string, projectId: string): Promise<ProjectRole | null> {
    if (projectId === personalProjectId(userId)) return 'owner';
    return this.projects.roleOf(userId, projectId);
  }

  /** Tells `onChange` about a write; the caller's personal project has only them to tell. */
  private notify(userId: string, projectIds: readonly string[]): Promise<void> {
    const personal = personalProjectId(userId);
    const shared = projectIds.filter((projectId) => projectId !== personal);
    return this.onChange({ projectIds: shared, ...(shared.length < projectIds.length ? { userIds: [userId] } : {}) });
  }

  private async resolveScope(
    userId: string,
    scope: TaskScope,
  ): Promise<{ projectIds: string[]; assignee: { assignee?: string | null } }> {
    const memberships = await this.projects.membershipsOf(userId);
    const mine = new Set(memberships.map((membership) => membership.projectId));
    let projectIds = [...mine];
    if (scope.projectIds !== undefined) {
      for (const projectId of scope.projectIds) if (!mine.has(projectId)) throw new ProjectNotFound();
      projectIds = [...new Set(scope.projectIds)];
    }
    const assignee =
      scope.assignee === undefined
        ? {}
        : { assignee: scope.assignee === 'me' ? userId : scope.assignee === 'none' ? null : scope.assignee };
    return { projectIds, assignee };
  }
}
