import type Database from 'better-sqlite3';
import { newObjectId } from '../../domain/ids.js';
import type {
  MailState,
  NewNotification,
  NotificationRecord,
  NotificationType,
} from '../../notifications/notification.model.js';
import type { NotificationRepository } from '../../notifications/notifications.repository.js';
import { slicePage } from '../../tasks/task.model.js';
import type { StoreRunner } from './sqlite-errors.js';

interface NotificationRow {
  id: string;
  user_id: string;
  type: NotificationType;
  key: string;
  actor_id: string | null;
  task_id: string | null;
  task_title: string | null;
  task_project_id: string | null;
  project_id: string | null;
  project_name: string | null;
  created_at: number;
  read_at: number | null;
  mail: MailState;
}

const COLUMNS = `id, user_id, type, key, actor_id, task_id, task_title, task_project_id, project_id, project_name,
  created_at, read_at, mail`;

function toNotification(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    key: row.key,
    actorId: row.actor_id,
    task:
      row.task_id === null
        ? null
        : { id: row.task_id, title: row.task_title ?? '', projectId: row.task_project_id ?? '' },
    project: row.project_id === null ? null : { id: row.project_id, name: row.project_name ?? '' },
    createdAt: new Date(row.created_at),
    readAt: row.read_at === null ? null : new Date(row.read_at),
    mail: row.mail,
  };
}

function toRow(id: string, notification: NewNotification): NotificationRow {
  return {
    id,
    user_id: notification.userId,
    type: notification.type,
    key: notification.key,
    actor_id: notification.actorId,
    task_id: notification.task?.id ?? null,
    task_title: notification.task?.title ?? null,
    task_project_id: notification.task?.projectId ?? null,
    project_id: notification.project?.id ?? null,
    project_name: notification.project?.name ?? null,
    created_at: notification.createdAt.getTime(),
    read_at: null,
    mail: notification.mail,
  };
}

/** The notifications port over the `notifications` table. */
export function createSqliteNotificationRepository(db: Database.Database, run: StoreRunner): NotificationRepository {
  const insert = db.prepare<[NotificationRow], NotificationRow>(
    `INSERT INTO notifications (${COLUMNS})
     VALUES (@id, @user_id, @type, @key, @actor_id, @task_id, @task_title, @task_project_id, @project_id,
             @project_name, @created_at, @read_at, @mail)
     ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
  );
  const byKey = db.prepare<[string], NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE key = ?`);
  type ListParams = { userId: string; unread: 0 | 1; after: string | null; limit: number };
  const page = db.prepare<[ListParams], NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications
     WHERE user_id = @userId AND (@unread = 0 OR read_at IS NULL) AND (@after IS NULL OR id < @after)
     ORDER BY id DESC LIMIT @limit`,
  );
  const unread = db
    .prepare<[string], number>('SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL')
    .pluck();
  const readSome = db.prepare<[{ userId: string; ids: string; now: number }]>(
    `UPDATE notifications SET read_at = @now
     WHERE user_id = @userId AND read_at IS NULL AND id IN (SELECT value FROM json_each(@ids))`,
  );
  const readAll = db.prepare<[{ userId: string; now: number }]>(
    'UPDATE notifications SET read_at = @now WHERE user_id = @userId AND read_at IS NULL',
  );
  const pending = db.prepare<[number], NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications WHERE mail = 'pending' ORDER BY id LIMIT ?`,
  );
  const setMail = db.prepare<[{ id: string; state: MailState }]>(
    "UPDATE notifications SET mail = @state WHERE id = @id AND mail = 'pending'",
  );

  const add = db.transaction((notifications: readonly NewNotification[]) =>
    notifications.map((notification) => {
      const inserted = insert.get(toRow(newObjectId(notification.createdAt.getTime()), notification));
      if (inserted !== undefined) return { notification: toNotification(inserted), created: true };
      const existing = byKey.get(notification.key);
      if (existing === undefined) throw new Error(`notification ${notification.key} neither inserted nor found`);
      return { notification: toNotification(existing), created: false };
    }),
  );

  return {
    async add(notifications) {
      if (notifications.length === 0) return [];
      return run(() => add.immediate(notifications));
    },

    async list(userId, options) {
      return run(() => {
        const rows = page.all({
          userId,
          unread: options.unread ? 1 : 0,
          after: options.after ?? null,
          limit: options.limit + 1,
        });
        const { items, next } = slicePage(rows.map(toNotification), options.limit, (last) => last.id);
        return { items, next };
      });
    },

    async unreadCount(userId) {
      return run(() => unread.get(userId) ?? 0);
    },

    async markRead(userId, which, now) {
      await run(() => {
        if ('all' in which) readAll.run({ userId, now: now.getTime() });
        else readSome.run({ userId, ids: JSON.stringify(which.ids), now: now.getTime() });
      });
    },

    async pendingMail(limit) {
      return run(() => pending.all(limit).map(toNotification));
    },

    async setMail(id, state) {
      await run(() => setMail.run({ id, state }));
    },
  };
}
