import type { NotificationRecord } from '../notifications/notification.model.js';

/** One email, in plain text and HTML. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

interface Recipient {
  email: string;
  name: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Paragraphs and one button-like link, the same words in both parts. */
function compose(
  to: Recipient,
  subject: string,
  lines: string[],
  action: { label: string; url: string },
  footer: string,
) {
  const greeting = `Hello ${to.name || to.email},`;
  const text = [greeting, '', ...lines, '', `${action.label}: ${action.url}`, '', footer, '', '— Primo'].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2937">',
    `<p>${escapeHtml(greeting)}</p>`,
    ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(action.url)}" style="display: inline-block; padding: 8px 16px; background: #4338ca; color: #ffffff; border-radius: 6px; text-decoration: none">${escapeHtml(action.label)}</a></p>`,
    `<p style="color: #6b7280; font-size: 14px">${escapeHtml(footer)}</p>`,
    '<p>— Primo</p></body></html>',
  ].join('\n');
  return { to: to.email, subject, text, html };
}

/** Links point into the web app at `clientUrl` (CLIENT_URL). */
export class MailTemplates {
  constructor(private readonly clientUrl: string) {}

  private link(path: string, query: Record<string, string> = {}): string {
    const url = new URL(path, `${this.clientUrl.replace(/\/+$/, '')}/`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.toString();
  }

  passwordReset(to: Recipient, token: string): MailMessage {
    return compose(
      to,
      'Reset your Primo password',
      ['Someone asked to reset the password of your Primo account. The link works once, for one hour.'],
      { label: 'Choose a new password', url: this.link('reset-password', { token }) },
      'If it was not you, ignore this email: your password stays as it is.',
    );
  }

  verification(to: Recipient, token: string): MailMessage {
    return compose(
      to,
      'Confirm your email address for Primo',
      ['Please confirm that this address is yours. The link works once, for 48 hours.'],
      { label: 'Confirm my address', url: this.link('verify-email', { token }) },
      'If you did not sign up for Primo, ignore this email.',
    );
  }

  /** An invitation to join a project, with its single-use link (valid until `expiresAt`). */
  invitation(
    to: Recipient,
    invite: { inviter: string; project: string; role: string; token: string; expiresAt: Date },
  ): MailMessage {
    const days = Math.max(1, Math.round((invite.expiresAt.getTime() - Date.now()) / 86_400_000));
    return compose(
      to,
      `${invite.inviter} invited you to ${invite.project} on Primo`,
      [
        `${invite.inviter} invited you to join ${invite.project} as ${invite.role === 'editor' ? 'an editor' : 'a viewer'}.`,
        `Sign in or create an account with this address to join. The link works once, for ${days} day${days === 1 ? '' : 's'}.`,
      ],
      { label: `Join ${invite.project}`, url: this.link(`invite/${encodeURIComponent(invite.token)}`) },
      'If you do not know this person, ignore this email.',
    );
  }

  /** The email of a notification; `actor` is the name of who caused it, if anyone. */
  notification(to: Recipient, notification: NotificationRecord, actor: string | null): MailMessage {
    const task = notification.task?.title ?? 'a task';
    const project = notification.project?.name ?? 'a project';
    const who = actor ?? 'Someone';
    const projectId = notification.task?.projectId ?? notification.project?.id;
    const taskLink = this.link('tasks', projectId === undefined ? {} : { project: projectId });
    const footer = 'You can choose which notifications you get by email in your settings.';
    switch (notification.type) {
      case 'reminder':
        return compose(
          to,
          `Reminder: ${task}`,
          [`This is your reminder for “${task}” in ${project}.`],
          {
            label: 'Open the task',
            url: taskLink,
          },
          footer,
        );
      case 'assigned':
        return compose(
          to,
          `${who} assigned you “${task}”`,
          [`${who} assigned you “${task}” in ${project}.`],
          {
            label: 'Open the task',
            url: taskLink,
          },
          footer,
        );
      case 'invited':
        return compose(
          to,
          `${who} invited you to ${project}`,
          [`${who} invited you to join ${project} on Primo.`],
          {
            label: 'Open Primo',
            url: this.link('tasks'),
          },
          footer,
        );
      case 'member.added':
        return compose(
          to,
          `${who} joined ${project}`,
          [`${who} joined ${project}.`],
          {
            label: 'Open the project',
            url: taskLink,
          },
          footer,
        );
    }
  }
}
