/** Projects, roles and invitations as the domain knows them: plain values, no zod, no HTTP. */

export const PROJECT_ROLES = ['owner', 'editor', 'viewer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** The roles an invitation may grant (ownership is given by promoting a member). */
export const INVITABLE_ROLES = ['editor', 'viewer'] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;
export const PROJECT_LIST_LIMIT_DEFAULT = 100;
export const PROJECT_LIST_LIMIT_MAX = 100;
/** The name of every user's personal project. */
export const PERSONAL_PROJECT_NAME = 'Inbox';
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Every user's personal project has the user's own id, so it is known without a lookup, created
 * idempotently (an upsert by id) and found by the migration that moves older tasks into it.
 */
export function personalProjectId(userId: string): string {
  return userId;
}

export interface ProjectRecord {
  id: string;
  name: string;
  description: string;
  /** `#rrggbb`, lower-cased, or null. */
  color: string | null;
  personal: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** A project as one member sees it: with the caller's role, the number of members and of open tasks. */
export interface ProjectView extends ProjectRecord {
  role: ProjectRole;
  memberCount: number;
  /** Tasks not done (todo or in progress). */
  openTaskCount: number;
}

export interface NewProject {
  name: string;
  description: string;
  color: string | null;
}

export type ProjectChanges = Partial<NewProject>;

/** Personal first, then by lower-cased name, ties by id: the order of a user's project list. */
export interface ProjectCursor {
  personal: boolean;
  nameKey: string;
  id: string;
}

export function projectNameKey(name: string): string {
  return name.toLowerCase();
}

export function compareProjects(a: ProjectRecord, b: ProjectRecord): number {
  if (a.personal !== b.personal) return a.personal ? -1 : 1;
  const ka = projectNameKey(a.name);
  const kb = projectNameKey(b.name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function projectCursorOf(project: ProjectRecord): ProjectCursor {
  return { personal: project.personal, nameKey: projectNameKey(project.name), id: project.id };
}

/** True when `project` comes after the cursor in list order. */
export function isAfterProjectCursor(project: ProjectRecord, cursor: ProjectCursor): boolean {
  if (project.personal !== cursor.personal) return cursor.personal;
  const key = projectNameKey(project.name);
  if (key !== cursor.nameKey) return key > cursor.nameKey;
  return project.id > cursor.id;
}

export interface MemberUser {
  id: string;
  email: string;
  name: string;
}

export interface MemberRecord {
  user: MemberUser;
  role: ProjectRole;
  joinedAt: Date;
}

/** A user's membership of one project. */
export interface Membership {
  projectId: string;
  role: ProjectRole;
}

export interface InvitationRecord {
  id: string;
  projectId: string;
  /** Lower-cased. */
  email: string;
  role: InvitableRole;
  invitedBy: { id: string; name: string };
  createdAt: Date;
  expiresAt: Date;
}
