/**
 * Notifications: what a user is told about, kept per user until read. Each one has a key naming the
 * event it reports (a reminder of one task at one time, an assignment by one change), and a key is
 * stored at most once: delivering the same event again, from a retry, a replay or a second worker,
 * adds nothing.
 */

export const NOTIFICATION_TYPES = ['assigned', 'reminder', 'invited', 'member.added'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_LIST_LIMIT_DEFAULT = 50;
export const NOTIFICATION_LIST_LIMIT_MAX = 100;
/** The most ids one mark-read request may name. */
export const MARK_READ_IDS_MAX = 100;

/** Which notifications a user also gets by email, one switch per type. */
export type EmailPreferences = Record<NotificationType, boolean>;

/** Every type is mailed until its user turns it off. */
export const DEFAULT_EMAIL_PREFERENCES: Readonly<EmailPreferences> = Object.freeze({
  assigned: true,
  reminder: true,
  invited: true,
  'member.added': true,
});

/** Whether a notification is also mailed: not at all, waiting for the mailer, or done with. */
export const MAIL_STATES = ['none', 'pending', 'sent', 'failed'] as const;
export type MailState = (typeof MAIL_STATES)[number];

export interface NotificationTask {
  id: string;
  title: string;
  projectId: string;
}

export interface NotificationProject {
  id: string;
  name: string;
}

export interface NotificationRecord {
  id: string;
  userId: string;
  type: NotificationType;
  /** The event reported, unique among all notifications (see notificationKey). */
  key: string;
  /** Who caused it; null for a reminder. */
  actorId: string | null;
  /** The task and project as they were named when it was sent. */
  task: NotificationTask | null;
  project: NotificationProject | null;
  createdAt: Date;
  readAt: Date | null;
  mail: MailState;
}

export type NewNotification = Omit<NotificationRecord, 'id' | 'readAt'>;

/** The event keys: one notification per recipient and event, whoever delivers it and how often. */
export const notificationKey = {
  reminder: (taskId: string, due: Date) => `reminder:${taskId}:${due.getTime()}`,
  /** An assignment, or a join, is a change of the log: its position names it. */
  fromChange: (type: NotificationType, seq: number, userId: string) => `${type}:${seq}:${userId}`,
  invited: (invitationId: string) => `invited:${invitationId}`,
};
