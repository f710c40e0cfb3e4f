import { z } from 'zod';
import {
  MARK_READ_IDS_MAX,
  NOTIFICATION_LIST_LIMIT_DEFAULT,
  NOTIFICATION_LIST_LIMIT_MAX,
  NOTIFICATION_TYPES,
  type NotificationType,
} from './notification.model.js';

const objectId = z.string({ error: 'must be a string' }).regex(/^[0-9a-f]{24}$/, 'must be an id (24 hex characters)');

const limit = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, 'must be at least 1')
      .max(NOTIFICATION_LIST_LIMIT_MAX, `must be at most ${NOTIFICATION_LIST_LIMIT_MAX}`),
  )
  .default(NOTIFICATION_LIST_LIMIT_DEFAULT);

export const listNotificationsQuery = z.strictObject({
  unread: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .default(false),
  cursor: objectId.optional(),
  limit,
});

/** `{ ids: [...] }` or `{ all: true }`: exactly one of the two. */
export const markReadBody = z
  .strictObject({
    ids: z
      .array(objectId, { error: 'must be an array of notification ids' })
      .min(1, 'must name at least one notification')
      .max(MARK_READ_IDS_MAX, `must name at most ${MARK_READ_IDS_MAX} notifications`)
      .optional(),
    all: z.literal(true, { error: 'must be true' }).optional(),
  })
  .superRefine((body, context) => {
    if ((body.ids === undefined) === (body.all === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['ids'],
        message: 'name the notifications in ids, or send all: true (not both)',
      });
    }
  });

export const notificationSchema = z.object({
  id: z.string(),
  type: z.enum(NOTIFICATION_TYPES),
  read: z.boolean(),
  createdAt: z.string(),
  actor: z.object({ id: z.string(), name: z.string() }).optional(),
  task: z.object({ id: z.string(), title: z.string(), projectId: z.string() }).optional(),
  project: z.object({ id: z.string(), name: z.string() }).optional(),
});
export const notificationListSchema = z.object({
  data: z.array(notificationSchema),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});

export type Notification = z.infer<typeof notificationSchema>;
export type NotificationList = z.infer<typeof notificationListSchema>;

const emailSwitches = z.strictObject(
  Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, z.boolean({ error: 'must be true or false' })])) as Record<
    NotificationType,
    z.ZodBoolean
  >,
);

/** Which notification types are also mailed: every switch in answers, any of them in a change. */
export const notificationPreferencesSchema = z.object({ email: emailSwitches });
export const preferencesPatchBody = z.strictObject({
  email: emailSwitches.partial().refine((switches) => Object.keys(switches).length > 0, 'must name at least one type'),
});
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;
