import type { UserRepository } from '../auth/users.repository.js';
import type { Clock } from '../domain/clock.js';
import type { Logger } from '../observability/logger.js';
import type { ChangeListener } from '../projects/change-notifier.js';
import type { NotificationRecord } from '../notifications/notification.model.js';
import type { Notification } from '../notifications/notifications.schemas.js';
import { toNotifications } from '../notifications/notifications.wire.js';
import { JobHandlers, type JobHandlerDeps } from './job-handlers.js';

/** The repositories the handlers use (a Storage has them all). */
type JobStores = Pick<JobHandlerDeps, 'tasks' | 'projects' | 'changes' | 'notifications' | 'jobs'> & {
  users: JobHandlerDeps['users'] & Parameters<typeof toNotifications>[0] & Pick<UserRepository, 'findById'>;
};

/**
 * The job handlers over a store, sending every notification stored to `push` (the live hub in the
 * API process, the Socket.IO Redis emitter in a worker) as the API and live events carry it.
 */
export function jobHandlersFor(
  storage: JobStores,
  options: {
    clock: Clock;
    logger: Logger;
    onChange: ChangeListener;
    push: (userId: string, notification: Notification) => void;
  },
): JobHandlers {
  const { clock, logger, push, onChange } = options;
  return new JobHandlers({
    tasks: storage.tasks,
    projects: storage.projects,
    users: storage.users,
    changes: storage.changes,
    notifications: storage.notifications,
    jobs: storage.jobs,
    clock,
    onChange,
    // Mailed unless its user turned the type off; an invitation only to an address they verified.
    mailFor: async (userId, type) => {
      const user = await storage.users.findById(userId);
      if (user === null || !user.emailPreferences[type]) return 'none';
      return type === 'invited' && !user.emailVerified ? 'none' : 'pending';
    },
    delivered: livePusher(storage.users, push, logger),
  });
}

/** Sends a stored notification, as the API carries it, to its user's open pages. */
export function livePusher(
  users: Parameters<typeof toNotifications>[0],
  push: (userId: string, notification: Notification) => void,
  logger: Logger,
): (notification: NotificationRecord) => void {
  return (notification) => {
    toNotifications(users, [notification]).then(
      ([event]) => {
        if (event !== undefined) push(notification.userId, event);
      },
      (err: unknown) => {
        logger.warn('could not send a notification live', { error: err instanceof Error ? err.message : String(err) });
      },
    );
  };
}
