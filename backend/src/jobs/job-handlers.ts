import type { UserRepository } from '../auth/users.repository.js';
import type { ChangeRecord } from '../changes/change.model.js';
import type { ChangeRepository } from '../changes/changes.repository.js';
import type { Clock } from '../domain/clock.js';
import {
  notificationKey,
  type MailState,
  type NewNotification,
  type NotificationRecord,
  type NotificationType,
} from '../notifications/notification.model.js';
import type { NotificationRepository } from '../notifications/notifications.repository.js';
import type { ChangeListener } from '../projects/change-notifier.js';
import type { ProjectRepository } from '../projects/projects.repository.js';
import { nextOccurrence } from '../tasks/recurrence.js';
import type { NewTask, TaskRecord, TaskRepository } from '../tasks/tasks.repository.js';
import type { JobRepository } from './jobs.repository.js';

/** How many of a task's changes are read to find who it was assigned to when it was created. */
const HISTORY_READ = 100;

export interface JobHandlerDeps {
  tasks: TaskRepository;
  projects: ProjectRepository;
  users: Pick<UserRepository, 'findById'>;
  changes: Pick<ChangeRepository, 'forTask'>;
  notifications: NotificationRepository;
  jobs: JobRepository;
  clock: Clock;
  /** Whether a notification of this type to this user is also mailed ('pending') or not ('none'). */
  mailFor: (userId: string, type: NotificationType) => Promise<MailState>;
  /** Told after a task is created here, as every write is (the response caches of the project's members). */
  onChange: ChangeListener;
  /** Called with every notification stored for the first time: live delivery, the mailer. */
  delivered: (notification: NotificationRecord) => void;
}

/**
 * The background work itself, the same whichever runner drives it (in the API process without
 * Redis, BullMQ jobs in the worker with it). Every handler may run more than once for the same
 * event — a retry, a replay, two workers — and still has its effect once: notifications are keyed
 * by their event, a reminder is settled only if it is still the one due, and a task's next
 * occurrence is created at most once.
 */
export class JobHandlers {
  constructor(private readonly deps: JobHandlerDeps) {}

  /** Whether the change completed a task, which then may repeat (see rollOver). */
  static completes(change: ChangeRecord): boolean {
    return (
      change.type === 'task.updated' && change.fields.some((field) => field.field === 'status' && field.to === 'done')
    );
  }

  /**
   * The change's notifications: an assignment to someone other than its author, a member joining
   * (their fellow members are told). Answers how many were stored now.
   */
  async notifyChange(change: ChangeRecord): Promise<number> {
    if (change.type === 'member.added') return this.memberAdded(change);
    if (change.type !== 'task.created' && change.type !== 'task.updated') return 0;
    const assignee = await this.assignedBy(change);
    if (assignee === null || assignee === change.actorId) return 0;
    return this.notifyAboutTask(change.entityId, assignee, 'assigned', {
      key: notificationKey.fromChange('assigned', change.seq, assignee),
      actorId: change.actorId,
    });
  }

  /**
   * Delivers the task's reminder due at `due` to its assignee (or, unassigned, its creator) if it is
   * still pending at that instant, then settles it. Answers the notification when one was stored now.
   */
  async deliverReminder(taskId: string, due: Date): Promise<NotificationRecord | null> {
    const task = await this.deps.tasks.findById(taskId);
    // Deleted, completed or rescheduled since: nothing to deliver at this instant.
    if (task === null || task.status === 'done' || task.remindAt?.getTime() !== due.getTime()) {
      await this.deps.jobs.settleReminder(taskId, due);
      return null;
    }
    const recipient = task.assigneeId ?? task.createdBy;
    const [added] = await this.notify(task, recipient, 'reminder', {
      key: notificationKey.reminder(task.id, due),
      actorId: null,
    });
    // Stored first, settled second: a crash in between delivers nothing twice (the key is taken).
    await this.deps.jobs.settleReminder(taskId, due);
    return added ?? null;
  }

  /**
   * Creates the next occurrence of a completed repeating task with a due date, once: the same
   * fields, the next due date, status todo, `remindAt` at the same offset from the due date.
   */
  async rollOver(taskId: string, actorId: string): Promise<TaskRecord | null> {
    const task = await this.deps.tasks.findById(taskId);
    if (task === null || task.status !== 'done' || task.recurrence === null || task.dueDate === null) return null;
    const next = nextOccurrence(task.recurrence, {
      dueDate: task.dueDate,
      completedAt: task.completedAt ?? task.updatedAt,
    });
    if (next === null) return null;
    const now = this.deps.clock();
    const remindAt =
      task.remindAt === null
        ? null
        : new Date(next.dueDate.getTime() + task.remindAt.getTime() - task.dueDate.getTime());
    const input: NewTask = {
      title: task.title,
      description: task.description,
      status: 'todo',
      priority: task.priority,
      dueDate: next.dueDate,
      tags: task.tags,
      assigneeId: task.assigneeId,
      // A reminder that would already have passed is not set (a late completion of an old occurrence).
      remindAt: remindAt !== null && remindAt > now ? remindAt : null,
      recurrence: next.recurrence,
    };
    const created = await this.deps.tasks.createNext(task, input, actorId, now);
    if (created !== null) await this.deps.onChange({ projectIds: [created.projectId] });
    return created;
  }

  /** Who a task change assigned the task to, or null (no assignment, or to nobody). */
  private async assignedBy(change: ChangeRecord): Promise<string | null> {
    if (change.type === 'task.updated') {
      const to = change.fields.find((field) => field.field === 'assigneeId')?.to;
      return typeof to === 'string' ? to : null;
    }
    // A creation carries no fields: its assignee is the task's, unless a later change moved it,
    // in which case the first such change says what it was before.
    const task = await this.deps.tasks.findById(change.entityId);
    if (task === null) return null;
    if (task.version === change.version) return task.assigneeId;
    const history = await this.deps.changes.forTask(change.entityId, { limit: HISTORY_READ });
    const firstMove = history
      .filter((later) => later.seq > change.seq)
      .sort((a, b) => a.seq - b.seq)
      .flatMap((later) => later.fields.filter((field) => field.field === 'assigneeId'))[0];
    if (firstMove === undefined) return task.assigneeId;
    return typeof firstMove.from === 'string' ? firstMove.from : null;
  }

  private async memberAdded(change: ChangeRecord): Promise<number> {
    const joined = change.entityId;
    const others = (await this.deps.projects.memberIds(change.projectId)).filter((id) => id !== joined);
    let notified = 0;
    for (const userId of others) {
      const project = await this.deps.projects.findForMember(userId, change.projectId);
      if (project === null) continue;
      const added = await this.add([
        await this.notification(userId, 'member.added', {
          key: notificationKey.fromChange('member.added', change.seq, userId),
          actorId: joined,
          task: null,
          project: { id: project.id, name: project.name },
        }),
      ]);
      notified += added.length;
    }
    return notified;
  }

  private async notifyAboutTask(
    taskId: string,
    userId: string,
    type: NotificationType,
    event: { key: string; actorId: string | null },
  ): Promise<number> {
    const task = await this.deps.tasks.findById(taskId);
    if (task === null) return 0;
    return (await this.notify(task, userId, type, event)).length;
  }

  /** Notifies a member of the task's project about it; someone no longer a member is told nothing. */
  private async notify(
    task: TaskRecord,
    userId: string,
    type: NotificationType,
    event: { key: string; actorId: string | null },
  ): Promise<NotificationRecord[]> {
    const project = await this.deps.projects.findForMember(userId, task.projectId);
    if (project === null) return [];
    return this.add([
      await this.notification(userId, type, {
        ...event,
        task: { id: task.id, title: task.title, projectId: task.projectId },
        project: { id: project.id, name: project.name },
      }),
    ]);
  }

  private async notification(
    userId: string,
    type: NotificationType,
    fields: Pick<NewNotification, 'key' | 'actorId' | 'task' | 'project'>,
  ): Promise<NewNotification> {
    return { userId, type, ...fields, createdAt: this.deps.clock(), mail: await this.deps.mailFor(userId, type) };
  }

  /** Stores them; answers (and hands on) only those stored for the first time. */
  private async add(notifications: NewNotification[]): Promise<NotificationRecord[]> {
    const added = (await this.deps.notifications.add(notifications))
      .filter((entry) => entry.created)
      .map((entry) => entry.notification);
    for (const notification of added) this.deps.delivered(notification);
    return added;
  }
}
