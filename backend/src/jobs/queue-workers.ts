import client from 'prom-client';
import { Worker, type ConnectionOptions, type Job, type Telemetry } from 'bullmq';
import type { Mailer } from '../mail/mailer.js';
import type { NotificationRepository } from '../notifications/notifications.repository.js';
import type { Logger } from '../observability/logger.js';
import { JobHandlers } from './job-handlers.js';
import type { JobMetrics } from './job-metrics.js';
import {
  QUEUE_NAMES,
  QUEUE_PREFIX,
  fromChangeJob,
  jobIds,
  type ChangeJob,
  type JobQueues,
  type MailJob,
  type QueueName,
  type RecurrenceJob,
  type ReminderJob,
} from './queues.js';

export interface QueueWorkersOptions {
  handlers: JobHandlers;
  queues: JobQueues;
  connection: ConnectionOptions;
  metrics: JobMetrics;
  logger: Logger;
  /** Jobs one worker process runs at once, per queue. */
  concurrency: number;
  /** How long a job's lock lasts without renewal: a worker that died holding it gives it back after this. */
  lockMs: number;
  /** Sends the mail queue's emails; a notification's outcome is kept in `notifications`. */
  mailer: Mailer;
  notifications: Pick<NotificationRepository, 'setMail'>;
  /** Tracing's hook: each job a consumer span continuing the trace that queued it (tracing on only). */
  telemetry?: Telemetry;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The BullMQ workers of one worker process: every queue, each job through the shared handlers. */
export class QueueWorkers {
  private readonly workers: Worker[] = [];

  constructor(private readonly options: QueueWorkersOptions) {
    const { handlers, queues, metrics } = options;
    this.add<ChangeJob>('changes', async (job) => {
      const change = fromChangeJob(job.data);
      await handlers.notifyChange(change);
      if (JobHandlers.completes(change)) {
        await queues.recurrence.add(
          'next',
          { taskId: change.entityId, actorId: change.actorId },
          { jobId: jobIds.next(change.entityId, change.version) },
        );
      }
    });
    this.add<ReminderJob>('reminders', async (job) => {
      const due = new Date(job.data.due);
      const delivered = await handlers.deliverReminder(job.data.taskId, due);
      if (delivered !== null) {
        metrics.reminderLag.observe(Math.max(0, (delivered.createdAt.getTime() - due.getTime()) / 1000));
      }
    });
    this.add<RecurrenceJob>('recurrence', async (job) => {
      await handlers.rollOver(job.data.taskId, job.data.actorId);
    });
    const mail = this.add<MailJob>('mail', async (job) => {
      await options.mailer.send(job.data.message);
      if (job.data.notificationId !== undefined) await options.notifications.setMail(job.data.notificationId, 'sent');
    });
    // A notification whose email failed for good is marked so, and no longer swept into the queue.
    mail.on('failed', (job) => {
      if (job === undefined || job.data.notificationId === undefined) return;
      if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
      options.notifications.setMail(job.data.notificationId, 'failed').catch((error: unknown) => {
        options.logger.warn('worker: could not mark a notification email failed', { error: message(error) });
      });
    });
  }

  /**
   * Stops taking jobs and waits for those in hand to finish, for at most `timeoutMs`; after that
   * they are abandoned, and their locks lapse so that another worker runs them again.
   */
  async close(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const finished = Promise.all(this.workers.map((worker) => worker.close())).then(() => 'finished' as const);
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'late')));
    if ((await Promise.race([finished, late])) === 'late') {
      this.options.logger.warn('worker: jobs in hand did not finish in time; leaving them to another worker');
      await Promise.all(this.workers.map((worker) => worker.close(true)));
    }
    clearTimeout(timer);
  }

  private add<T>(queue: QueueName, work: (job: Job<T>) => Promise<void>): Worker<T> {
    const { connection, metrics, logger, concurrency, lockMs, telemetry } = this.options;
    const worker = new Worker<T>(queue, work, {
      connection,
      telemetry,
      prefix: QUEUE_PREFIX,
      concurrency,
      lockDuration: lockMs,
      // A job whose worker died is taken back at the next stalled check and run again (twice at most).
      stalledInterval: Math.max(1000, Math.floor(lockMs / 2)),
      maxStalledCount: 2,
    });
    worker.on('completed', () => metrics.processed.inc({ queue }));
    worker.on('failed', (job, error) => {
      metrics.failed.inc({ queue });
      const final = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
      const details = { queue, jobId: job?.id, attempts: job?.attemptsMade, error: message(error) };
      if (final) logger.error('worker: a job failed for good', details);
      else logger.warn('worker: a job failed; retrying', details);
    });
    worker.on('error', (error) => {
      logger.warn('worker: queue connection error', { queue, error: message(error) });
    });
    this.workers.push(worker as Worker);
    return worker;
  }
}

/**
 * Queue depth and age as Prometheus gauges, read from Redis at scrape time: jobs per state, and
 * how long the oldest waiting job has been ready to run.
 */
export function registerQueueMetrics(registry: client.Registry, queues: JobQueues): void {
  const byName = {
    changes: queues.changes,
    reminders: queues.reminders,
    recurrence: queues.recurrence,
    mail: queues.mail,
  };
  new client.Gauge({
    name: 'primo_queue_jobs',
    help: 'Jobs in each queue by state (waiting, delayed, active, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const name of QUEUE_NAMES) {
        const counts = await byName[name].getJobCounts('waiting', 'delayed', 'active', 'failed');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: name, state }, count);
      }
    },
  });
  new client.Gauge({
    name: 'primo_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job ready to run and not yet taken (0 when none waits)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const now = Date.now();
      for (const name of QUEUE_NAMES) {
        const [oldest] = await byName[name].getJobs(['waiting'], 0, 0, true);
        const readyAt = oldest === undefined ? now : oldest.timestamp + (oldest.opts.delay ?? 0);
        this.set({ queue: name }, Math.max(0, (now - readyAt) / 1000));
      }
    },
  });
}
