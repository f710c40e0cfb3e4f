import type { IdempotentWrite } from '../idempotency/idempotency.model.js';
import type { UserRecord, UserRepository } from '../auth/users.repository.js';
import { hashOpaqueToken, newOpaqueToken } from '../auth/tokens.js';
import type { Clock } from '../domain/clock.js';
import { Conflict, NotFound, ProjectNotFound, VersionConflict } from '../domain/errors.js';
import { versionGuardOf, type ExpectedVersion } from '../domain/expected-version.js';
import { authorize } from './access-policy.js';
import type { ChangeListener } from './change-notifier.js';
import {
  INVITATION_TTL_MS,
  type InvitableRole,
  type InvitationRecord,
  type MemberRecord,
  type NewProject,
  type ProjectChanges,
  type ProjectCursor,
  type ProjectRole,
  type ProjectView,
} from './project.model.js';
import type { InvitationRepository, ProjectPage, ProjectRepository } from './projects.repository.js';

export class InvitationNotFound extends NotFound {
  override name = 'InvitationNotFound';
  constructor() {
    super('No pending invitation matches this token for your account.');
  }
}

export class MemberNotFound extends NotFound {
  override name = 'MemberNotFound';
  constructor() {
    super('This user is not a member of the project.');
  }
}

const lastOwner = () =>
  new Conflict('last-owner', 'A project needs at least one owner: make another member an owner first.');
const personalProject = (action: string) => new Conflict('personal-project', `Your personal project cannot ${action}.`);

/** An invitation just created, for whoever tells the invitee (by email, and as a notification). */
export interface InvitationEvent {
  invitation: CreatedInvitation;
  project: { id: string; name: string };
  /** The account of the invited address, if it has one. */
  invitee: UserRecord | null;
}

export interface ProjectsServiceDeps {
  projects: ProjectRepository;
  invitations: InvitationRepository;
  users: UserRepository;
  onChange: ChangeListener;
  clock: Clock;
  /** Told of every invitation created; its failure does not undo the invitation (the link is in the answer). */
  onInvited?: (event: InvitationEvent) => Promise<void>;
}

/** An invitation as created: the only time its token is seen. */
export interface CreatedInvitation extends InvitationRecord {
  token: string;
}

/** Project, membership and invitation use cases; every decision goes through the access policy. */
export class ProjectsService {
  constructor(private readonly deps: ProjectsServiceDeps) {}

  /** With an `idempotent` claim, the response is kept with the write (see IdempotentWrite). */
  async create(userId: string, input: NewProject, idempotent?: IdempotentWrite<ProjectView>): Promise<ProjectView> {
    const project = await this.deps.projects.create(userId, input, this.deps.clock(), idempotent);
    await this.deps.onChange({ projectIds: [project.id] });
    return project;
  }

  async list(userId: string, options: { limit: number; after?: ProjectCursor }): Promise<ProjectPage> {
    const page = await this.deps.projects.listForMember(userId, options);
    if (page.items.length > 0 || options.after !== undefined) return page;
    // Every account has its personal project; one created before projects existed gets it now.
    await this.deps.projects.ensurePersonal(userId, this.deps.clock());
    return this.deps.projects.listForMember(userId, options);
  }

  async get(userId: string, projectId: string): Promise<ProjectView> {
    const project = await this.deps.projects.findForMember(userId, projectId);
    if (project === null) throw new ProjectNotFound();
    return project;
  }

  async update(
    userId: string,
    projectId: string,
    changes: ProjectChanges,
    expected: ExpectedVersion,
  ): Promise<ProjectView> {
    const current = await this.get(userId, projectId);
    authorize(current.role, 'project.update');
    const outcome = await this.deps.projects.update(projectId, changes, {
      expectedVersion: versionGuardOf(expected),
      now: this.deps.clock(),
      actorId: userId,
    });
    if (outcome.kind === 'not_found') throw new ProjectNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('project', outcome.current);
    await this.deps.onChange({ projectIds: [projectId] });
    return { ...current, ...outcome.project };
  }

  async delete(userId: string, projectId: string, expected: ExpectedVersion): Promise<void> {
    const current = await this.get(userId, projectId);
    authorize(current.role, 'project.delete');
    if (current.personal) throw personalProject('be deleted');
    const members = await this.deps.projects.memberIds(projectId);
    const outcome = await this.deps.projects.delete(projectId, {
      expectedVersion: versionGuardOf(expected),
      now: this.deps.clock(),
      actorId: userId,
    });
    if (outcome.kind === 'not_found') throw new ProjectNotFound();
    if (outcome.kind === 'version_mismatch') throw new VersionConflict('project', outcome.current);
    await this.deps.onChange({ projectIds: [], userIds: members });
  }

  async members(userId: string, projectId: string): Promise<MemberRecord[]> {
    authorize(await this.deps.projects.roleOf(userId, projectId), 'members.read');
    return this.deps.projects.members(projectId);
  }

  async setRole(userId: string, projectId: string, memberId: string, role: ProjectRole): Promise<MemberRecord> {
    authorize(await this.deps.projects.roleOf(userId, projectId), 'members.manage');
    const outcome = await this.deps.projects.setRole(projectId, memberId, role, {
      now: this.deps.clock(),
      actorId: userId,
    });
    if (outcome.kind === 'not_found') throw new MemberNotFound();
    if (outcome.kind === 'last_owner') throw lastOwner();
    await this.deps.onChange({ projectIds: [projectId] });
    const member = (await this.deps.projects.members(projectId)).find((candidate) => candidate.user.id === memberId);
    if (member === undefined) throw new MemberNotFound();
    return member;
  }

  /** An owner removes anyone; any member may remove themself (leave). */
  async removeMember(userId: string, projectId: string, memberId: string): Promise<void> {
    const role = await this.deps.projects.roleOf(userId, projectId);
    if (memberId !== userId) authorize(role, 'members.manage');
    else if (role === null) throw new ProjectNotFound();
    const outcome = await this.deps.projects.removeMember(projectId, memberId, {
      now: this.deps.clock(),
      actorId: userId,
    });
    if (outcome.kind === 'not_found') throw new MemberNotFound();
    if (outcome.kind === 'last_owner') throw lastOwner();
    await this.deps.onChange({ projectIds: [projectId], userIds: [memberId] });
  }

  /**
   * Invites an address. The answer is the same whether or not it has an account; only an address
   * that is already a member (which the owner can see anyway) is refused.
   */
  async invite(
    userId: string,
    projectId: string,
    input: { email: string; role: InvitableRole },
  ): Promise<CreatedInvitation> {
    const project = await this.get(userId, projectId);
    authorize(project.role, 'invitations.manage');
    if (project.personal) throw personalProject('have other members');
    const email = input.email.toLowerCase();
    const existing = await this.deps.users.findByEmail(email);
    if (existing !== null && (await this.deps.projects.roleOf(existing.id, projectId)) !== null) {
      throw new Conflict('already-member', 'This person is already a member of the project.');
    }
    const token = newOpaqueToken();
    const now = this.deps.clock();
    const invitation = await this.deps.invitations.create({
      projectId,
      email,
      role: input.role,
      invitedBy: userId,
      tokenHash: hashOpaqueToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
    });
    const created = { ...invitation, token };
    await this.deps.onInvited?.({
      invitation: created,
      project: { id: project.id, name: project.name },
      invitee: existing,
    });
    return created;
  }

  async invitations(userId: string, projectId: string): Promise<InvitationRecord[]> {
    authorize(await this.deps.projects.roleOf(userId, projectId), 'invitations.manage');
    return this.deps.invitations.listPending(projectId, this.deps.clock());
  }

  async revokeInvitation(userId: string, projectId: string, invitationId: string): Promise<void> {
    authorize(await this.deps.projects.roleOf(userId, projectId), 'invitations.manage');
    if (!(await this.deps.invitations.revoke(projectId, invitationId, this.deps.clock()))) {
      throw new InvitationNotFound();
    }
  }

  /** Joins the project the token invites to, if the token is pending and was sent to the caller's email. */
  async accept(userId: string, token: string): Promise<ProjectView> {
    const user = await this.deps.users.findById(userId);
    if (user === null) throw new InvitationNotFound();
    const outcome = await this.deps.invitations.accept(hashOpaqueToken(token), user, this.deps.clock());
    if (outcome.kind === 'not_found') throw new InvitationNotFound();
    await this.deps.onChange({ projectIds: [outcome.projectId] });
    return this.get(userId, outcome.projectId);
  }
}
