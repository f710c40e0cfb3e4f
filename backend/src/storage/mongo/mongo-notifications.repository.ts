import { Types } from 'mongoose';
import { isObjectId } from '../../domain/ids.js';
import type { NewNotification, NotificationRecord } from '../../notifications/notification.model.js';
import type { NotificationRepository } from '../../notifications/notifications.repository.js';
import { slicePage } from '../../tasks/task.model.js';
import { isDuplicateKey } from './mongo-errors.js';
import type { MongoModels, NotificationDoc } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';

function toNotification(doc: NotificationDoc): NotificationRecord {
  return {
    id: doc._id.toHexString(),
    userId: doc.user.toHexString(),
    type: doc.type,
    key: doc.key,
    actorId: doc.actor?.toHexString() ?? null,
    task:
      doc.task === null
        ? null
        : { id: doc.task.id.toHexString(), title: doc.task.title, projectId: doc.task.project.toHexString() },
    project: doc.project === null ? null : { id: doc.project.id.toHexString(), name: doc.project.name },
    createdAt: doc.createdAt,
    readAt: doc.readAt ?? null,
    mail: doc.mail,
  };
}

function toDoc(notification: NewNotification): NotificationDoc {
  const { task, project } = notification;
  return {
    _id: new Types.ObjectId(Math.floor(notification.createdAt.getTime() / 1000)),
    user: new Types.ObjectId(notification.userId),
    type: notification.type,
    key: notification.key,
    actor: notification.actorId === null ? null : new Types.ObjectId(notification.actorId),
    task:
      task === null
        ? null
        : { id: new Types.ObjectId(task.id), title: task.title, project: new Types.ObjectId(task.projectId) },
    project: project === null ? null : { id: new Types.ObjectId(project.id), name: project.name },
    createdAt: notification.createdAt,
    readAt: null,
    mail: notification.mail,
  };
}

/** A user's notifications (the unread only, when asked), older than `after`: newest first by `_id`. */
export function notificationListFilter(userId: string, options: { unread: boolean; after?: string }) {
  const filter: Record<string, unknown> = { user: new Types.ObjectId(userId) };
  if (options.unread) filter.readAt = null;
  if (options.after !== undefined && isObjectId(options.after)) filter._id = { $lt: new Types.ObjectId(options.after) };
  return filter;
}

/** The notifications port over the `notifications` collection. */
export function createMongoNotificationRepository(models: MongoModels, run: StoreRunner): NotificationRepository {
  const { notifications } = models;

  /** Inserts one unless its key is taken; a concurrent insert of the same key loses to the unique index. */
  const addOne = async (notification: NewNotification) => {
    const doc = toDoc(notification);
    try {
      await notifications.collection.insertOne(doc);
      return { notification: toNotification(doc), created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await notifications.findOne({ key: notification.key }).lean<NotificationDoc>();
      if (existing === null) throw error;
      return { notification: toNotification(existing), created: false };
    }
  };

  return {
    async add(list) {
      const added = [];
      for (const notification of list) added.push(await run(() => addOne(notification)));
      return added;
    },

    async list(userId, options) {
      if (!isObjectId(userId)) return { items: [], next: null };
      const docs = await run(() =>
        notifications
          .find(notificationListFilter(userId, options))
          .sort({ _id: -1 })
          .limit(options.limit + 1)
          .lean<NotificationDoc[]>(),
      );
      return slicePage(docs.map(toNotification), options.limit, (last) => last.id);
    },

    async unreadCount(userId) {
      if (!isObjectId(userId)) return 0;
      return run(() => notifications.countDocuments({ user: new Types.ObjectId(userId), readAt: null }));
    },

    async markRead(userId, which, now) {
      if (!isObjectId(userId)) return;
      const filter: Record<string, unknown> = { user: new Types.ObjectId(userId), readAt: null };
      if (!('all' in which)) {
        filter._id = { $in: which.ids.filter(isObjectId).map((id) => new Types.ObjectId(id)) };
      }
      await run(() => notifications.updateMany(filter, { $set: { readAt: now } }));
    },

    async pendingMail(limit) {
      const docs = await run(() =>
        notifications.find({ mail: 'pending' }).sort({ mail: 1, _id: 1 }).limit(limit).lean<NotificationDoc[]>(),
      );
      return docs.map(toNotification);
    },

    async setMail(id, state) {
      if (!isObjectId(id)) return;
      await run(() =>
        notifications.updateOne({ _id: new Types.ObjectId(id), mail: 'pending' }, { $set: { mail: state } }),
      );
    },
  };
}
