import { Router, type RequestHandler } from 'express';
import type { UserRepository } from '../auth/users.repository.js';
import { NotAuthenticated } from '../domain/errors.js';
import { requireAuth, userIdOf } from '../auth/auth.middleware.js';
import type { Clock } from '../domain/clock.js';
import { parseInput } from '../http/validate.js';
import type { NotificationRepository } from './notifications.repository.js';
import {
  listNotificationsQuery,
  markReadBody,
  preferencesPatchBody,
  type NotificationList,
  type NotificationPreferences,
} from './notifications.schemas.js';
import { toNotifications } from './notifications.wire.js';

export const NOTIFICATIONS_BASE_PATH = '/api/v1/notifications';

export interface NotificationsRoutesDeps {
  notifications: NotificationRepository;
  users: Pick<UserRepository, 'findById' | 'setEmailPreferences'>;
  clock: Clock;
}

const GONE = 'The account of this token no longer exists.';

/** A user's own notifications: the list with the unread count, and marking them read. Never cached. */
export function notificationsRoutes({ notifications, users, clock }: NotificationsRoutesDeps): Router {
  const router = Router();

  const list: RequestHandler = async (req, res) => {
    const query = parseInput(listNotificationsQuery, req.query, 'query');
    const userId = userIdOf(req);
    const [page, unreadCount] = await Promise.all([
      notifications.list(userId, {
        unread: query.unread,
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { after: query.cursor }),
      }),
      notifications.unreadCount(userId),
    ]);
    const body: NotificationList = {
      data: await toNotifications(users, page.items),
      nextCursor: page.next,
      unreadCount,
    };
    res.setHeader('Cache-Control', 'no-store').json(body);
  };

  const markRead: RequestHandler = async (req, res) => {
    const body = parseInput(markReadBody, req.body, 'body');
    await notifications.markRead(userIdOf(req), body.ids === undefined ? { all: true } : { ids: body.ids }, clock());
    res.status(204).end();
  };

  const preferences: RequestHandler = async (req, res) => {
    const user = await users.findById(userIdOf(req));
    if (user === null) throw new NotAuthenticated(GONE);
    const body: NotificationPreferences = { email: user.emailPreferences };
    res.setHeader('Cache-Control', 'no-store').json(body);
  };

  const changePreferences: RequestHandler = async (req, res) => {
    const { email } = parseInput(preferencesPatchBody, req.body, 'body');
    const user = await users.setEmailPreferences(userIdOf(req), email);
    if (user === null) throw new NotAuthenticated(GONE);
    const body: NotificationPreferences = { email: user.emailPreferences };
    res.setHeader('Cache-Control', 'no-store').json(body);
  };

  router.get('/', requireAuth(), list);
  router.get('/preferences', requireAuth(), preferences);
  router.patch('/preferences', requireAuth(), changePreferences);
  router.post('/read', requireAuth(), markRead);
  return router;
}
