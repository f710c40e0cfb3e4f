import type { WriteOptions } from '../changes/change.model.js';
import type { IdempotentWrite } from '../idempotency/idempotency.model.js';
import type {
  InvitableRole,
  InvitationRecord,
  MemberRecord,
  Membership,
  NewProject,
  ProjectChanges,
  ProjectCursor,
  ProjectRecord,
  ProjectRole,
  ProjectView,
} from './project.model.js';

export interface ProjectPage {
  items: ProjectView[];
  next: ProjectCursor | null;
}

export type ProjectWriteOutcome =
  { kind: 'ok'; project: ProjectRecord } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: ProjectRecord };

export type ProjectDeleteOutcome =
  { kind: 'ok' } | { kind: 'not_found' } | { kind: 'version_mismatch'; current: ProjectRecord };

/** What changing or removing a membership ended in; `last_owner` changes nothing. */
export type MemberChangeOutcome = { kind: 'ok' } | { kind: 'not_found' } | { kind: 'last_owner' };

/**
 * Storage port for projects and memberships. Access is decided by the caller (the access policy);
 * these methods only read and write. Malformed ids are "not found", never errors.
 */
export interface ProjectRepository {
  /** Creates the user's personal project ("Inbox", id = user id) with them as owner, unless it exists. */
  ensurePersonal(userId: string, now: Date): Promise<void>;
  /** Creates a project with `ownerId` as its only member (owner); keeps the response of an `idempotent` claim with it. */
  create(
    ownerId: string,
    input: NewProject,
    now: Date,
    idempotent?: IdempotentWrite<ProjectView>,
  ): Promise<ProjectView>;
  /** The project as `userId` sees it, or null when it does not exist or they are not a member. */
  findForMember(userId: string, projectId: string): Promise<ProjectView | null>;
  /** The user's projects, personal first, then by name (case-insensitive), ties by id. */
  listForMember(userId: string, options: { limit: number; after?: ProjectCursor }): Promise<ProjectPage>;
  /** Guarded by `expectedVersion` when given; bumps version and updatedAt. */
  update(
    projectId: string,
    changes: ProjectChanges,
    options: WriteOptions & { expectedVersion?: number },
  ): Promise<ProjectWriteOutcome>;
  /**
   * Deletes the project with its tasks, memberships and invitations in one transaction; its change
   * is addressed to everyone who was a member.
   */
  delete(projectId: string, options: WriteOptions & { expectedVersion?: number }): Promise<ProjectDeleteOutcome>;

  /** The user's role in the project, or null (one indexed read). */
  roleOf(userId: string, projectId: string): Promise<ProjectRole | null>;
  /** Every project the user is a member of (one indexed read). */
  membershipsOf(userId: string): Promise<Membership[]>;
  /** Members with their user's public fields, owners first, then by name. */
  members(projectId: string): Promise<MemberRecord[]>;
  /** The user ids of every member (for cache invalidation and live delivery). */
  memberIds(projectId: string): Promise<string[]>;
  /** Changes a member's role; demoting the last owner is refused. */
  setRole(projectId: string, userId: string, role: ProjectRole, options: WriteOptions): Promise<MemberChangeOutcome>;
  /**
   * Removes a member; removing the last owner is refused. In the same transaction every task of the
   * project assigned to them becomes unassigned (version and updatedAt move on, each with its change).
   */
  removeMember(projectId: string, userId: string, options: WriteOptions): Promise<MemberChangeOutcome>;
}

export interface NewInvitation {
  projectId: string;
  email: string;
  role: InvitableRole;
  invitedBy: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export type AcceptOutcome =
  | { kind: 'ok'; projectId: string; role: ProjectRole }
  /** Unknown, used, revoked or expired token, or another email than the invited one. */
  | { kind: 'not_found' };

/** Storage port for invitations. Tokens are stored only as hashes. */
export interface InvitationRepository {
  /** Records a pending invitation, replacing any pending one for the same project and email. */
  create(input: NewInvitation): Promise<InvitationRecord>;
  /** Pending (not accepted, revoked or expired) invitations of the project, newest first. */
  listPending(projectId: string, now: Date): Promise<InvitationRecord[]>;
  /** Revokes a pending invitation; false when there is none with this id in the project. */
  revoke(projectId: string, invitationId: string, now: Date): Promise<boolean>;
  /**
   * In one transaction: finds the pending, unexpired invitation with this token hash for this email,
   * marks it accepted and makes the user a member with its role. A user who is already a member
   * keeps their role (the invitation is still spent).
   */
  accept(tokenHash: string, user: { id: string; email: string }, now: Date): Promise<AcceptOutcome>;
}
