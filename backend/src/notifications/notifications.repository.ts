import type { MailState, NewNotification, NotificationRecord } from './notification.model.js';

export interface NotificationPage {
  items: NotificationRecord[];
  /** The id after which the next page starts, or null when none follows. */
  next: string | null;
}

/** Storage port for notifications. */
export interface NotificationRepository {
  /**
   * Stores the notifications whose key is not taken yet and answers every one given as stored, each
   * flagged `created` when this call added it (only those are pushed and mailed by the caller).
   */
  add(notifications: readonly NewNotification[]): Promise<{ notification: NotificationRecord; created: boolean }[]>;
  /** A user's notifications, newest first, after the id `after` when given; `unread` keeps the unread only. */
  list(userId: string, options: { unread: boolean; after?: string; limit: number }): Promise<NotificationPage>;
  unreadCount(userId: string): Promise<number>;
  /** Marks these of the user's notifications read (`all`: every one); others' ids are ignored. */
  markRead(userId: string, which: { ids: readonly string[] } | { all: true }, now: Date): Promise<void>;
  /** Notifications waiting to be mailed, oldest first. */
  pendingMail(limit: number): Promise<NotificationRecord[]>;
  /** Records the outcome of mailing one notification. */
  setMail(id: string, state: Exclude<MailState, 'pending'>): Promise<void>;
}
