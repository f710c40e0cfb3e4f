import {
  PROJECT_LIST_LIMIT_MAX,
  type Invitation,
  type Member,
  type MemberList,
  type Page,
  type Project,
  type ProjectList,
} from '@primo/api/contract/wire';
import { apiRequest } from '../../../lib/api-client';
import { PROJECTS_QUERY_ROOT } from '../../../lib/query-roots';

// The reads every task screen needs; the writes, used only by dialogs and the invite page, live in
// project-changes.api.ts so the first screen does not carry them.

/** The API's largest page of projects: most people's projects arrive in one request. */
const PROJECT_PAGE = PROJECT_LIST_LIMIT_MAX;

/** Query keys: the list and each project's members and invitations hang under `projects`. */
export const projectKeys = {
  all: PROJECTS_QUERY_ROOT,
  list: () => [...projectKeys.all, 'list'] as const,
  members: (projectId: string) => [...projectKeys.all, 'members', projectId] as const,
  invitations: (projectId: string) => [...projectKeys.all, 'invitations', projectId] as const,
};

const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;

/** Every project the caller is a member of, personal first, then by name (all pages). */
export async function listProjects(signal?: AbortSignal): Promise<Project[]> {
  const projects: Project[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ limit: String(PROJECT_PAGE) });
    if (cursor) params.set('cursor', cursor);
    const page: ProjectList = await apiRequest<ProjectList>(`/projects?${params}`, signal ? { signal } : {});
    projects.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return projects;
}

export async function listMembers(projectId: string, signal?: AbortSignal): Promise<Member[]> {
  return (await apiRequest<MemberList>(`${projectPath(projectId)}/members`, signal ? { signal } : {})).data;
}

/** Pending invitations (owners only; they carry no token). */
export async function listInvitations(projectId: string, signal?: AbortSignal): Promise<Invitation[]> {
  const path = `${projectPath(projectId)}/invitations`;
  return (await apiRequest<Omit<Page<Invitation>, 'nextCursor'>>(path, signal ? { signal } : {})).data;
}
