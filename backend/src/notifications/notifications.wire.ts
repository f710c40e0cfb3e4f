import type { UserRepository } from '../auth/users.repository.js';
import type { NotificationRecord } from './notification.model.js';
import type { Notification } from './notifications.schemas.js';

/** Notifications as the API and live events carry them, each with its actor's current name. */
export async function toNotifications(
  users: Pick<UserRepository, 'findById'>,
  records: readonly NotificationRecord[],
): Promise<Notification[]> {
  const actorIds = [...new Set(records.flatMap((record) => (record.actorId === null ? [] : [record.actorId])))];
  const actors = await Promise.all(actorIds.map((id) => users.findById(id)));
  const names = new Map(actorIds.map((id, i) => [id, actors[i]?.name ?? '']));
  return records.map((record) => ({
    id: record.id,
    type: record.type,
    read: record.readAt !== null,
    createdAt: record.createdAt.toISOString(),
    ...(record.actorId === null ? {} : { actor: { id: record.actorId, name: names.get(record.actorId) ?? '' } }),
    ...(record.task === null ? {} : { task: record.task }),
    ...(record.project === null ? {} : { project: record.project }),
  }));
}
