import type { Clock } from '../domain/clock.js';
import { notificationKey, type NotificationRecord } from '../notifications/notification.model.js';
import type { NotificationRepository } from '../notifications/notifications.repository.js';
import type { InvitationEvent } from '../projects/projects.service.js';
import type { MailTemplates } from './mail-messages.js';
import type { MailOutbox } from './mail-outbox.js';

export interface InvitationNoticeDeps {
  notifications: Pick<NotificationRepository, 'add'>;
  mail: MailOutbox;
  templates: MailTemplates;
  clock: Clock;
  /** Sends a notification stored now to the user's open pages. */
  delivered: (notification: NotificationRecord) => void;
}

/**
 * Tells the invitee: an email with the link (to any address, unless its account turned invitation
 * emails off), and an `invited` notification when the address belongs to an account that verified it.
 */
export function invitationNotice(deps: InvitationNoticeDeps): (event: InvitationEvent) => Promise<void> {
  return async ({ invitation, project, invitee }) => {
    if (invitee === null || invitee.emailPreferences.invited) {
      const message = deps.templates.invitation(
        { email: invitation.email, name: invitee?.name ?? '' },
        {
          inviter: invitation.invitedBy.name,
          project: project.name,
          role: invitation.role,
          token: invitation.token,
          expiresAt: invitation.expiresAt,
        },
      );
      deps.mail.post(message, `invite-${invitation.id}`);
    }
    if (invitee === null || !invitee.emailVerified) return;
    const [entry] = await deps.notifications.add([
      {
        userId: invitee.id,
        type: 'invited',
        key: notificationKey.invited(invitation.id),
        actorId: invitation.invitedBy.id,
        task: null,
        project,
        createdAt: deps.clock(),
        // The email above already carries the link.
        mail: 'none',
      },
    ]);
    if (entry?.created) deps.delivered(entry.notification);
  };
}
