import type { UserRepository } from '../auth/users.repository.js';
import type { NotificationRecord } from '../notifications/notification.model.js';
import type { MailMessage, MailTemplates } from './mail-messages.js';

/**
 * The email of a notification, to its user's address; null when the user is gone or has turned
 * this type off since it was sent.
 */
export async function notificationMail(
  users: Pick<UserRepository, 'findById'>,
  templates: MailTemplates,
  notification: NotificationRecord,
): Promise<MailMessage | null> {
  const user = await users.findById(notification.userId);
  if (user === null || !user.emailPreferences[notification.type]) return null;
  const actor = notification.actorId === null ? null : await users.findById(notification.actorId);
  return templates.notification(user, notification, actor?.name ?? null);
}
