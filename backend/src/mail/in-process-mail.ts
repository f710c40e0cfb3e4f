import type { UserRepository } from '../auth/users.repository.js';
import type { JobMetrics } from '../jobs/job-metrics.js';
import type { NotificationRepository } from '../notifications/notifications.repository.js';
import type { Logger } from '../observability/logger.js';
import type { MailMessage, MailTemplates } from './mail-messages.js';
import type { MailOutbox } from './mail-outbox.js';
import type { Mailer } from './mailer.js';
import { notificationMail } from './notification-mail.js';

const NOTIFICATION_BATCH = 50;
/** Attempts at one email before it is given up (about a minute of retries in all at 1 s). */
export const MAIL_ATTEMPTS = 6;

interface Pending {
  key: string;
  message: MailMessage;
  attempts: number;
  notBefore: number;
}

export interface InProcessMailOptions {
  mailer: Mailer;
  templates: MailTemplates;
  notifications: Pick<NotificationRepository, 'pendingMail' | 'setMail'>;
  users: Pick<UserRepository, 'findById'>;
  metrics: JobMetrics;
  logger: Logger;
  pollMs: number;
  /** The first retry's delay; each later one waits twice as long. */
  retryMs: number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The mail of the API process when no worker runs (no Redis): emails posted by requests, and the
 * notifications waiting to be mailed in the store, sent one at a time beside the requests, each
 * retried with exponential backoff and given up after MAIL_ATTEMPTS (counted as failed). A posted
 * email lives in memory until sent: a restart in between loses it, and its link is asked for again.
 */
export class InProcessMail implements MailOutbox {
  private readonly posted = new Map<string, Pending>();
  /** Notifications whose mail failed, by id: attempts so far and when to try again. */
  private readonly retrying = new Map<string, { attempts: number; notBefore: number }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: InProcessMailOptions) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue;
  }

  post(mail: MailMessage, key: string): void {
    if (this.posted.has(key)) return;
    this.posted.set(key, { key, message: mail, attempts: 0, notBefore: 0 });
    if (!this.stopped) this.schedule(0);
  }

  /** Sends what is due now, after any send in hand (the tests' way to wait without sleeping). */
  step(): Promise<void> {
    const run = this.queue.then(async () => {
      await this.sendPosted();
      await this.sendNotifications();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.step().then(
        () => this.schedule(this.options.pollMs),
        (error: unknown) => {
          this.options.logger.warn('mail: cannot read the store; retrying', { error: message(error) });
          this.schedule(this.options.pollMs * 8);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private async sendPosted(): Promise<void> {
    const now = Date.now();
    for (const pending of [...this.posted.values()]) {
      if (pending.notBefore > now) continue;
      const outcome = await this.attempt(pending.message, pending.attempts + 1, pending.key);
      if (outcome === 'retry') {
        pending.attempts += 1;
        pending.notBefore = Date.now() + this.options.retryMs * 2 ** (pending.attempts - 1);
      } else {
        this.posted.delete(pending.key);
      }
    }
  }

  private async sendNotifications(): Promise<void> {
    const { notifications, users, templates } = this.options;
    const now = Date.now();
    for (const notification of await notifications.pendingMail(NOTIFICATION_BATCH)) {
      const retry = this.retrying.get(notification.id);
      if (retry !== undefined && retry.notBefore > now) continue;
      const mail = await notificationMail(users, templates, notification);
      if (mail === null) {
        await notifications.setMail(notification.id, 'none');
        continue;
      }
      const attempts = (retry?.attempts ?? 0) + 1;
      const outcome = await this.attempt(mail, attempts, `notification-${notification.id}`);
      if (outcome === 'retry') {
        this.retrying.set(notification.id, {
          attempts,
          notBefore: Date.now() + this.options.retryMs * 2 ** (attempts - 1),
        });
        continue;
      }
      this.retrying.delete(notification.id);
      await notifications.setMail(notification.id, outcome);
    }
  }

  private async attempt(mail: MailMessage, attempts: number, key: string): Promise<'sent' | 'failed' | 'retry'> {
    const { mailer, metrics, logger } = this.options;
    try {
      await mailer.send(mail);
      metrics.processed.inc({ queue: 'mail' });
      return 'sent';
    } catch (error) {
      metrics.failed.inc({ queue: 'mail' });
      const details = { key, attempts, error: message(error) };
      if (attempts >= MAIL_ATTEMPTS) {
        logger.error('mail: could not be sent; giving up', details);
        return 'failed';
      }
      logger.warn('mail: could not be sent; retrying', details);
      return 'retry';
    }
  }
}
