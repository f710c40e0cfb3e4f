import type { Project, ProjectRole } from '@primo/api/contract/wire';

export const ROLE_LABELS: Record<ProjectRole, string> = {
  owner: 'Owner',
  editor: 'Editor',
  viewer: 'Viewer',
};

/** Whether the caller may add and change tasks in the project. */
export function canWrite(project: Pick<Project, 'role'>): boolean {
  return project.role !== 'viewer';
}

/** Why the caller cannot change a viewer project's tasks, in the words every screen uses. */
export const VIEWER_REASON = 'You are a viewer in this project: you can read its tasks but not change them.';

/** What a person sees when a project they had open is not theirs to see any more. */
export const PROJECT_GONE =
  'This project is not available any more: it was deleted, or you are no longer a member of it.';
