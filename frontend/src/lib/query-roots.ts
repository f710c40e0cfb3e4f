/**
 * The roots of the query cache that features share, so one feature can refresh what another shows:
 * every task view (lists, details, stats) hangs under `tasks`, every project view (the list with its
 * roles and open-task counts, members, invitations) under `projects`.
 */
export const TASKS_QUERY_ROOT = ['tasks'] as const;
export const PROJECTS_QUERY_ROOT = ['projects'] as const;
/** The signed-in user's notifications (the bell's list and unread count). */
export const NOTIFICATIONS_QUERY_ROOT = ['notifications'] as const;
