import { randomUUID } from 'node:crypto';
import type { ChangeRepository } from '../changes/changes.repository.js';
import type { RedisClient } from '../cache/redis-connection.js';
import type { Clock } from '../domain/clock.js';
import type { UserRepository } from '../auth/users.repository.js';
import type { MailTemplates } from '../mail/mail-messages.js';
import { notificationMail } from '../mail/notification-mail.js';
import type { NotificationRepository } from '../notifications/notifications.repository.js';
import type { Logger } from '../observability/logger.js';
import { CHANGE_CONSUMER } from './in-process-runner.js';
import type { JobRepository, PendingReminder } from './jobs.repository.js';
import { jobIds, toChangeJob, type JobQueues } from './queues.js';

const LEADER_KEY = '{primo-jobs}:leader';
const CHANGE_BATCH = 200;
const REMINDER_BATCH = 500;
const MAIL_BATCH = 100;

// Holds the lock when it is ours or free; answers 1 while held.
const HOLD_SCRIPT = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;
const RELEASE_SCRIPT = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

/** One worker at a time leads: a Redis key it renews; when it stops renewing, another takes over. */
export class LeaderLock {
  readonly id = randomUUID();

  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lead; answers whether this worker has it. */
  async hold(): Promise<boolean> {
    return (await this.redis.eval(HOLD_SCRIPT, 1, LEADER_KEY, this.id, String(this.ttlMs))) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, LEADER_KEY, this.id);
  }
}

export interface JobSchedulerOptions {
  changes: Pick<ChangeRepository, 'after' | 'bounds'>;
  jobs: JobRepository;
  queues: JobQueues;
  clock: Clock;
  logger: Logger;
  /** Reminders due within this long are added as delayed jobs. */
  horizonMs: number;
  /** How often every pending reminder in the horizon is added again (one lost with Redis's data comes back). */
  resweepMs: number;
  /** Notifications waiting for their email become mail jobs, written with these templates. */
  notifications: Pick<NotificationRepository, 'pendingMail' | 'setMail'>;
  users: Pick<UserRepository, 'findById'>;
  templates: MailTemplates;
}

/**
 * What the leading worker does: turn the change log into jobs (one per change, from the position
 * kept in the store, so nothing is skipped across restarts or a new leader) and the pending
 * reminders of the store into delayed jobs. The store stays the truth: a job lost with Redis is
 * added again by the next sweep, and a job added twice has the same id and is kept once.
 */
export class JobScheduler {
  private position: number | null = null;
  /** Where the last sweep stopped in the horizon; null: sweep it whole. */
  private swept: { due: Date; taskId: string } | null = null;
  private lastFullSweep = 0;
  /** Notifications queued for mail, and when: each is queued again only after `resweepMs`. */
  private readonly mailQueued = new Map<string, number>();

  constructor(private readonly options: JobSchedulerOptions) {}

  /** Forgets what was read (a new lead, or Redis came back): the next step reads from the store's position. */
  reset(): void {
    this.position = null;
    this.swept = null;
    this.mailQueued.clear();
  }

  /** One step; answers whether there is more to do at once. */
  async step(): Promise<boolean> {
    const changesLeft = await this.enqueueChanges();
    const remindersLeft = await this.enqueueReminders();
    await this.enqueueMail();
    return changesLeft || remindersLeft;
  }

  /** Notifications waiting for their email, as mail jobs (by notification: queued once). */
  private async enqueueMail(): Promise<void> {
    const { notifications, users, templates, queues, clock, resweepMs } = this.options;
    const now = clock().getTime();
    for (const [id, at] of this.mailQueued) if (now - at >= resweepMs) this.mailQueued.delete(id);
    const pending = (await notifications.pendingMail(MAIL_BATCH)).filter((n) => !this.mailQueued.has(n.id));
    const jobs = [];
    for (const notification of pending) {
      const message = await notificationMail(users, templates, notification);
      if (message === null) {
        await notifications.setMail(notification.id, 'none');
        continue;
      }
      jobs.push({
        name: notification.type,
        data: { message, notificationId: notification.id },
        opts: { jobId: jobIds.mail(`notification-${notification.id}`) },
      });
    }
    if (jobs.length > 0) await queues.mail.addBulk(jobs);
    for (const notification of pending) this.mailQueued.set(notification.id, now);
  }

  private async enqueueChanges(): Promise<boolean> {
    const { changes, jobs, queues } = this.options;
    const position = this.position ?? (await this.keptPosition());
    const batch = await changes.after(position, CHANGE_BATCH);
    if (batch.length === 0) {
      this.position = position;
      return false;
    }
    await queues.changes.addBulk(
      batch.map((change) => ({
        name: change.type,
        data: toChangeJob(change),
        opts: { jobId: jobIds.change(change.seq) },
      })),
    );
    // A task written may now have a reminder in the horizon before where the sweep stopped.
    const written = [...new Set(batch.filter((change) => change.type.startsWith('task.')).map((c) => c.entityId))];
    await this.addReminders(await jobs.remindersOf(written, this.horizonEnd()));
    const last = batch[batch.length - 1]?.seq ?? position;
    await jobs.saveCursor(CHANGE_CONSUMER, last);
    this.position = last;
    return batch.length === CHANGE_BATCH;
  }

  private async enqueueReminders(): Promise<boolean> {
    const { jobs, clock, resweepMs } = this.options;
    const now = clock().getTime();
    if (now - this.lastFullSweep >= resweepMs) {
      this.swept = null;
      this.lastFullSweep = now;
    }
    const due = await jobs.pendingReminders(this.horizonEnd(), REMINDER_BATCH, this.swept ?? undefined);
    await this.addReminders(due);
    const last = due[due.length - 1];
    if (last !== undefined) this.swept = { due: last.due, taskId: last.task.id };
    return due.length === REMINDER_BATCH;
  }

  /** Reminders due before this are added as delayed jobs. */
  private horizonEnd(): Date {
    return new Date(this.options.clock().getTime() + this.options.horizonMs);
  }

  /** As delayed jobs, each by task and instant: one already added is kept once. */
  private async addReminders(due: readonly PendingReminder[]): Promise<void> {
    if (due.length === 0) return;
    const now = this.options.clock().getTime();
    await this.options.queues.reminders.addBulk(
      due.map(({ task, due: at }) => ({
        name: 'reminder',
        data: { taskId: task.id, due: at.toISOString() },
        opts: { jobId: jobIds.reminder(task.id, at), delay: Math.max(0, at.getTime() - now) },
      })),
    );
  }

  private async keptPosition(): Promise<number> {
    const { jobs, changes } = this.options;
    const kept = await jobs.cursor(CHANGE_CONSUMER);
    if (kept !== null) return kept;
    const { head } = await changes.bounds();
    await jobs.saveCursor(CHANGE_CONSUMER, head);
    return head;
  }
}
