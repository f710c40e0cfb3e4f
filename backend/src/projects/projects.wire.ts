import { z } from 'zod';
import { entityEtag, type Page } from '../contract/wire.js';
import { InvalidInput } from '../domain/errors.js';
import type { InvitationRecord, MemberRecord, ProjectCursor, ProjectView } from './project.model.js';
import type { ProjectPage } from './projects.repository.js';
import type { CreatedInvitation as CreatedInvitationRecord } from './projects.service.js';
import type { CreatedInvitation, Invitation, Member, Project } from './projects.schemas.js';

export function projectEtag(project: Pick<ProjectView, 'id' | 'version'>): string {
  return entityEtag(project);
}

export function toProject(view: ProjectView): Project {
  return {
    id: view.id,
    name: view.name,
    description: view.description,
    color: view.color,
    personal: view.personal,
    role: view.role,
    memberCount: view.memberCount,
    openTaskCount: view.openTaskCount,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
    version: view.version,
  };
}

const cursorPayload = z.strictObject({ p: z.boolean(), k: z.string().max(400), i: z.string().regex(/^[0-9a-f]{24}$/) });

export function encodeProjectCursor(cursor: ProjectCursor): string {
  return Buffer.from(JSON.stringify({ p: cursor.personal, k: cursor.nameKey, i: cursor.id }), 'utf8').toString(
    'base64url',
  );
}

export function decodeProjectCursor(raw: string): ProjectCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = cursorPayload.safeParse(parsed);
  if (!result.success) {
    throw new InvalidInput(
      [{ path: 'cursor', message: 'is not a cursor returned by this API' }],
      'The cursor is not valid for this query.',
    );
  }
  return { personal: result.data.p, nameKey: result.data.k, id: result.data.i };
}

export function toProjectList(page: ProjectPage): Page<Project> {
  return { data: page.items.map(toProject), nextCursor: page.next === null ? null : encodeProjectCursor(page.next) };
}

export function toMember(member: MemberRecord): Member {
  return { user: { ...member.user }, role: member.role, joinedAt: member.joinedAt.toISOString() };
}

export function toInvitation(invitation: InvitationRecord): Invitation {
  return {
    id: invitation.id,
    projectId: invitation.projectId,
    email: invitation.email,
    role: invitation.role,
    invitedBy: { ...invitation.invitedBy },
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
  };
}

export function toCreatedInvitation(invitation: CreatedInvitationRecord): CreatedInvitation {
  return { ...toInvitation(invitation), token: invitation.token };
}
