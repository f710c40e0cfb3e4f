import type { MailMessage } from './mail-messages.js';

/**
 * Where the request path leaves an email to be sent: it returns at once and never throws; the
 * message goes out from the background (the worker's mail queue with Redis, this process without).
 * `key` names the message so that posting it twice sends it once.
 */
export interface MailOutbox {
  post(message: MailMessage, key: string): void;
}
