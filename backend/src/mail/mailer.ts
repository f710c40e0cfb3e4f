import nodemailer from 'nodemailer';
import type { Logger } from '../observability/logger.js';
import type { MailMessage } from './mail-messages.js';

/** Sends one email, or — without SMTP_URL — logs it. */
export interface Mailer {
  /** Whether messages go to an SMTP server (false: they are logged at info). */
  readonly sends: boolean;
  /** Resolves once the server accepted the message; rejects when it could not be delivered to it. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailConfig {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start). */
  smtpUrl?: string;
  /** The From header, e.g. `Primo <no-reply@example.com>`. */
  from: string;
}

/** Give up on an SMTP server that does not answer within these (the job is retried later). */
const CONNECT_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

export function createMailer(config: MailConfig, logger: Logger): Mailer {
  const { smtpUrl } = config;
  if (smtpUrl === undefined) {
    return {
      sends: false,
      async send(message) {
        logger.info('mail (not sent: SMTP_URL is not set)', {
          to: message.to,
          subject: message.subject,
          text: message.text,
        });
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(
    {
      url: smtpUrl,
      connectionTimeout: CONNECT_TIMEOUT_MS,
      greetingTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
    },
    { from: config.from },
  );
  return {
    sends: true,
    async send(message) {
      await transport.sendMail(message);
    },
    close() {
      transport.close();
    },
  };
}
