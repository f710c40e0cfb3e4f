/**
 * The wire contract: the shapes the API sends and accepts, as the SPA and other clients see them.
 * Types only, plus the domain's plain values and the ETag format, so importing this module never
 * pulls zod or server code into a bundle.
 */
export type {
  CreateTaskInput,
  ListTasksParams,
  Task,
  TaskList,
  TaskStats,
  UpdateTaskInput,
} from '../tasks/tasks.schemas.js';
export type { AuthResponse, LoginInput, RegisterInput, User } from '../auth/auth.schemas.js';
export type { ActivityList, Change, ChangeList } from '../changes/changes.schemas.js';
export type {
  Notification,
  NotificationList,
  NotificationPreferences,
} from '../notifications/notifications.schemas.js';
export type { NotificationType } from '../notifications/notification.model.js';
export type {
  CreatedInvitation,
  CreateInvitationInput,
  CreateProjectInput,
  Invitation,
  Member,
  MemberList,
  Project,
  ProjectList,
  UpdateProjectInput,
} from '../projects/projects.schemas.js';
export {
  INVITABLE_ROLES,
  PERSONAL_PROJECT_NAME,
  PROJECT_DESCRIPTION_MAX,
  PROJECT_LIST_LIMIT_MAX,
  PROJECT_NAME_MAX,
  PROJECT_ROLES,
  type InvitableRole,
  type ProjectRole,
} from '../projects/project.model.js';
export type { FieldError } from '../domain/errors.js';
export type { Recurrence, RecurrenceFrom } from '../tasks/recurrence.js';
export {
  DESCRIPTION_MAX,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  QUERY_TEXT_MAX,
  TAG_MAX,
  TAGS_MAX,
  TASK_PRIORITIES,
  TASK_SORT_FIELDS,
  TASK_SORTS,
  TASK_STATUSES,
  TITLE_MAX,
  type TaskPriority,
  type TaskSortField,
  type TaskSortParam,
  type TaskStatus,
} from '../tasks/task.model.js';

import type { FieldError } from '../domain/errors.js';

/** RFC 9457 problem details, the body of every error response (`application/problem+json`). */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

/** A page of a keyset-paged list: `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** The strong ETag of one version of an entity, as sent in `ETag` and expected in `If-Match`. */
export function entityEtag(entity: { id: string; version: number }): string {
  return `"${entity.id}-${entity.version}"`;
}

/** The version an ETag names for the entity `id`, or null when the tag is for something else. */
export function versionFromEtag(tag: string, id: string): number | null {
  const match = /^(?:W\/)?"([0-9a-f]{24})-(\d{1,9})"$/.exec(tag.trim());
  return match && match[1] === id ? Number(match[2]) : null;
}
