import type { ChangeRepository } from '../changes/changes.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import { JobHandlers } from './job-handlers.js';
import type { JobMetrics } from './job-metrics.js';
import type { JobRepository } from './jobs.repository.js';

/** The name under which the change-log consumer keeps its position. */
export const CHANGE_CONSUMER = 'notifier';
const CHANGE_BATCH = 200;
const REMINDER_BATCH = 100;
/** Attempts at one change before it is skipped (logged and counted as failed) so the rest flow. */
const CHANGE_ATTEMPTS = 5;

export interface InProcessJobsOptions {
  handlers: JobHandlers;
  changes: Pick<ChangeRepository, 'after' | 'bounds'>;
  jobs: JobRepository;
  metrics: JobMetrics;
  logger: Logger;
  clock: Clock;
  /** Pause between reads of the change log and of due reminders while there is nothing to do. */
  pollMs: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The background work inside the API process, for the embedded default without Redis (one
 * instance): follows the change log from the position it last handled, and delivers reminders as
 * they fall due, reading both from the store. Its position is kept in the store, so a restart
 * goes on where the last run stopped; every handler is safe to run twice for the same event.
 */
export class InProcessJobs {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** The last change handled; null until read from the store. */
  private position: number | null = null;
  private failures = new Map<number, number>();
  private failing = false;
  /** Steps run one at a time, whoever asks. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: InProcessJobsOptions) {}

  /**
   * Starts following from the kept position (the newest change on a first run: history is not
   * replayed). A store that does not answer yet is retried like any later step.
   */
  start(): void {
    this.schedule(0);
  }

  /** Stops after the step in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs one step now, after any in hand (the tests' way to wait for delivery without sleeping). */
  step(): Promise<boolean> {
    const run = this.queue.then(async () => {
      const changesLeft = await this.followChanges();
      const remindersLeft = await this.deliverReminders();
      return changesLeft || remindersLeft;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.step().then(
        (busy) => {
          this.running = null;
          if (this.failing) this.options.logger.info('jobs: running again');
          this.failing = false;
          this.schedule(busy ? 0 : this.options.pollMs);
        },
        (error: unknown) => {
          this.running = null;
          if (!this.failing) {
            this.options.logger.warn('jobs: cannot read the store; background work resumes when it answers', {
              error: message(error),
            });
          }
          this.failing = true;
          this.schedule(this.options.pollMs * 8);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  /** Handles the changes after the position; answers whether a full batch was read. */
  private async followChanges(): Promise<boolean> {
    const { changes, jobs, handlers, metrics, logger } = this.options;
    const position = this.position ?? (await this.keptPosition());
    this.position = position;
    const batch = await changes.after(position, CHANGE_BATCH);
    for (const change of batch) {
      try {
        await handlers.notifyChange(change);
        metrics.processed.inc({ queue: 'changes' });
        if (JobHandlers.completes(change)) {
          await handlers.rollOver(change.entityId, change.actorId);
          metrics.processed.inc({ queue: 'recurrence' });
        }
        this.failures.delete(change.seq);
      } catch (error) {
        metrics.failed.inc({ queue: 'changes' });
        const attempts = (this.failures.get(change.seq) ?? 0) + 1;
        if (attempts < CHANGE_ATTEMPTS) {
          this.failures.set(change.seq, attempts);
          throw error;
        }
        this.failures.delete(change.seq);
        logger.error('jobs: a change could not be handled; skipping it', {
          seq: change.seq,
          type: change.type,
          error: message(error),
        });
      }
      this.position = change.seq;
    }
    if (batch.length > 0) await jobs.saveCursor(CHANGE_CONSUMER, this.position);
    return batch.length === CHANGE_BATCH;
  }

  private async keptPosition(): Promise<number> {
    const { jobs, changes } = this.options;
    const kept = await jobs.cursor(CHANGE_CONSUMER);
    if (kept !== null) return kept;
    const { head } = await changes.bounds();
    await jobs.saveCursor(CHANGE_CONSUMER, head);
    return head;
  }

  /** Delivers the reminders due by now; answers whether a full batch was read. */
  private async deliverReminders(): Promise<boolean> {
    const { jobs, handlers, metrics, clock } = this.options;
    const due = await jobs.pendingReminders(clock(), REMINDER_BATCH);
    for (const reminder of due) {
      try {
        const delivered = await handlers.deliverReminder(reminder.task.id, reminder.due);
        metrics.processed.inc({ queue: 'reminders' });
        if (delivered !== null) {
          metrics.reminderLag.observe(Math.max(0, (delivered.createdAt.getTime() - reminder.due.getTime()) / 1000));
        }
      } catch (error) {
        metrics.failed.inc({ queue: 'reminders' });
        throw error;
      }
    }
    return due.length === REMINDER_BATCH;
  }
}
