import type { Queue } from 'bullmq';
import { jobIds, type MailJob } from '../jobs/queues.js';
import type { Logger } from '../observability/logger.js';
import type { MailMessage } from './mail-messages.js';
import type { MailOutbox } from './mail-outbox.js';

/** Emails posted by requests become jobs of the worker's mail queue (retried there with backoff). */
export class QueuedMailOutbox implements MailOutbox {
  constructor(
    private readonly queue: Queue<MailJob>,
    private readonly logger: Logger,
  ) {}

  post(message: MailMessage, key: string): void {
    this.queue.add('message', { message }, { jobId: jobIds.mail(key) }).catch((error: unknown) => {
      this.logger.error('mail: could not be queued', {
        key,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}
