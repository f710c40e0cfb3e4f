import {
  entityEtag,
  type CreatedInvitation,
  type CreateInvitationInput,
  type CreateProjectInput,
  type Member,
  type Project,
  type ProjectRole,
  type UpdateProjectInput,
} from '@primo/api/contract/wire';
import { apiRequest } from '../../../lib/api-client';

// Written out here rather than shared with projects.api.ts: the invite page needs these writes on
// a first screen of its own, without the reads.
const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;

/** `idempotencyKey` is repeated on a retry of the same create so the server writes the project once. */
export function createProject(input: CreateProjectInput, idempotencyKey: string): Promise<Project> {
  return apiRequest<Project>('/projects', {
    method: 'POST',
    body: input,
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}

/** Changes a project only if nobody else changed it since `base` was read (412 otherwise). */
export function updateProject(base: Project, patch: UpdateProjectInput): Promise<Project> {
  return apiRequest<Project>(projectPath(base.id), {
    method: 'PATCH',
    body: patch,
    headers: { 'If-Match': entityEtag(base) },
  });
}

export function deleteProject(base: Project): Promise<void> {
  return apiRequest<void>(projectPath(base.id), { method: 'DELETE', headers: { 'If-Match': entityEtag(base) } });
}

const memberPath = (projectId: string, userId: string) =>
  `${projectPath(projectId)}/members/${encodeURIComponent(userId)}`;

export function setMemberRole(projectId: string, userId: string, role: ProjectRole): Promise<Member> {
  return apiRequest<Member>(memberPath(projectId, userId), { method: 'PATCH', body: { role } });
}

/** An owner removes a member; any member removes themself (leaves). */
export function removeMember(projectId: string, userId: string): Promise<void> {
  return apiRequest<void>(memberPath(projectId, userId), { method: 'DELETE' });
}

/** The answer carries the invitation's token: the only time it is ever seen. */
export function createInvitation(projectId: string, input: CreateInvitationInput): Promise<CreatedInvitation> {
  return apiRequest<CreatedInvitation>(`${projectPath(projectId)}/invitations`, { method: 'POST', body: input });
}

export function revokeInvitation(projectId: string, invitationId: string): Promise<void> {
  return apiRequest<void>(`${projectPath(projectId)}/invitations/${encodeURIComponent(invitationId)}`, {
    method: 'DELETE',
  });
}

/** Joins the project an invitation's token names; 404 when the token is unknown, spent or for another address. */
export function acceptInvitation(token: string): Promise<Project> {
  return apiRequest<Project>('/invitations/accept', { method: 'POST', body: { token } });
}

/** The address a person opens to accept an invitation. */
export function invitationLink(token: string, origin: string = window.location.origin): string {
  return `${origin}/invite/${encodeURIComponent(token)}`;
}
