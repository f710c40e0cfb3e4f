import client from 'prom-client';

/** The queues of background work, as metric labels (a fixed set: never built from input). */
export const JOB_QUEUES = ['changes', 'reminders', 'recurrence', 'mail'] as const;
export type JobQueue = (typeof JOB_QUEUES)[number];

export interface JobMetrics {
  processed: client.Counter<'queue'>;
  failed: client.Counter<'queue'>;
  /** From a reminder's `remindAt` to its notification stored. */
  reminderLag: client.Histogram;
}

export function createJobMetrics(registry: client.Registry): JobMetrics {
  const metrics: JobMetrics = {
    processed: new client.Counter({
      name: 'primo_jobs_processed_total',
      help: 'Background jobs handled, by queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
    failed: new client.Counter({
      name: 'primo_jobs_failed_total',
      help: 'Background job attempts that failed, by queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
    reminderLag: new client.Histogram({
      name: 'primo_reminder_delivery_lag_seconds',
      help: 'From a reminder falling due to its notification being stored',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
  // Every queue is exported from the start, so that a rate over it exists before the first job.
  for (const queue of JOB_QUEUES) {
    metrics.processed.inc({ queue }, 0);
    metrics.failed.inc({ queue }, 0);
  }
  return metrics;
}
