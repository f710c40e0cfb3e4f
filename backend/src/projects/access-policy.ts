import { Forbidden, ProjectNotFound } from '../domain/errors.js';
import type { ProjectRole } from './project.model.js';

/** Everything a member may try to do in a project; every project-scoped route names one. */
export type ProjectAction =
  | 'project.read'
  | 'project.update'
  | 'project.delete'
  | 'members.read'
  | 'members.manage'
  | 'invitations.manage'
  | 'tasks.read'
  | 'tasks.write';

const READ: readonly ProjectAction[] = ['project.read', 'members.read', 'tasks.read'];
const WRITE: readonly ProjectAction[] = [...READ, 'project.update', 'tasks.write'];
const MANAGE: readonly ProjectAction[] = [...WRITE, 'project.delete', 'members.manage', 'invitations.manage'];

const ALLOWED: Record<ProjectRole, ReadonlySet<ProjectAction>> = {
  owner: new Set(MANAGE),
  editor: new Set(WRITE),
  viewer: new Set(READ),
};

const REASON: Record<ProjectAction, string> = {
  'project.read': 'read this project',
  'project.update': "change this project's name, description or colour",
  'project.delete': 'delete this project',
  'members.read': "see this project's members",
  'members.manage': "change this project's members",
  'invitations.manage': 'invite people to this project',
  'tasks.read': "read this project's tasks",
  'tasks.write': "change this project's tasks",
};

/** Whether a member with `role` may do `action`. */
export function allows(role: ProjectRole, action: ProjectAction): boolean {
  return ALLOWED[role].has(action);
}

/**
 * The one access decision: `role` is the caller's membership of the project (null for a
 * non-member). A non-member learns nothing (ProjectNotFound → 404); a member whose role does not
 * allow the action gets Forbidden (403) naming what their role cannot do.
 */
export function authorize(role: ProjectRole | null, action: ProjectAction): asserts role is ProjectRole {
  if (role === null) throw new ProjectNotFound();
  if (!allows(role, action)) {
    throw new Forbidden(`As ${role === 'viewer' ? 'a viewer' : 'an editor'} you cannot ${REASON[action]}.`);
  }
}
