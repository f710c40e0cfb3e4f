import { Queue, type ConnectionOptions, type JobsOptions, type Telemetry } from 'bullmq';
import type { ChangeRecord } from '../changes/change.model.js';
import type { MailMessage } from '../mail/mail-messages.js';

/**
 * BullMQ's keys for Primo's queues. The braces make every key of every queue one Redis Cluster
 * hash slot, which BullMQ's multi-key scripts need there (and which costs nothing standalone).
 */
export const QUEUE_PREFIX = '{primo-jobs}';

/** The queues: changes to notify about, reminders (delayed until due), next occurrences to create, email. */
export const QUEUE_NAMES = ['changes', 'reminders', 'recurrence', 'mail'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Job ids name the entity and its version, so adding the same job again (a replayed change, a
 * reminder swept twice, a second leader) adds nothing while the first is kept. BullMQ refuses `:`
 * in custom ids.
 */
export const jobIds = {
  change: (seq: number) => `change-${seq}`,
  reminder: (taskId: string, due: Date) => `reminder-${taskId}-${due.getTime()}`,
  next: (taskId: string, version: number) => `next-${taskId}-${version}`,
  /** An email named by its key (a notification, or a link's token hash). */
  mail: (key: string) => `mail-${key.replaceAll(':', '-')}`,
};

/** Retried with exponential backoff (1 s, 2 s, 4 s … about four minutes in all); failures kept a week. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  // Kept a day, so that an id seen again within it is recognised and not run twice.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** A change as a job carries it (JSON: the instant as an ISO string). */
export type ChangeJob = Omit<ChangeRecord, 'at'> & { at: string };
export interface ReminderJob {
  taskId: string;
  due: string;
}
export interface RecurrenceJob {
  taskId: string;
  actorId: string;
}
/** An email to send; a notification's is marked sent (or failed) in the store when done. */
export interface MailJob {
  message: MailMessage;
  notificationId?: string;
}

export const toChangeJob = (change: ChangeRecord): ChangeJob => ({ ...change, at: change.at.toISOString() });
export const fromChangeJob = (job: ChangeJob): ChangeRecord => ({ ...job, at: new Date(job.at) });

export interface JobQueues {
  changes: Queue<ChangeJob>;
  reminders: Queue<ReminderJob>;
  recurrence: Queue<RecurrenceJob>;
  mail: Queue<MailJob>;
  close(): Promise<void>;
}

/**
 * `mailRetryMs`: the first retry's delay of an email (MAIL_RETRY_MS); the other queues start at 1 s.
 * `telemetry`: tracing's hook (see observability/tracing.ts), when tracing is on.
 */
export function openQueues(connection: ConnectionOptions, mailRetryMs = 1000, telemetry?: Telemetry): JobQueues {
  const options = { connection, prefix: QUEUE_PREFIX, defaultJobOptions: JOB_OPTIONS, telemetry };
  const changes = new Queue<ChangeJob>('changes', options);
  const reminders = new Queue<ReminderJob>('reminders', options);
  const recurrence = new Queue<RecurrenceJob>('recurrence', options);
  const mail = new Queue<MailJob>('mail', {
    ...options,
    defaultJobOptions: { ...JOB_OPTIONS, backoff: { type: 'exponential', delay: mailRetryMs } },
  });
  return {
    changes,
    reminders,
    recurrence,
    mail,
    async close() {
      await Promise.all([changes.close(), reminders.close(), recurrence.close(), mail.close()]);
    },
  };
}
