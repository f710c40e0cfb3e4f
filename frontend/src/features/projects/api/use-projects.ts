import type { Project } from '@primo/api/contract/wire';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { TASKS_QUERY_ROOT } from '../../../lib/query-roots';
import { listMembers, listProjects, projectKeys } from './projects.api';

/** Every project of the caller, and a lookup by id. */
export function useProjects() {
  const query = useQuery({ queryKey: projectKeys.list(), queryFn: ({ signal }) => listProjects(signal) });
  const byId = useMemo(() => new Map<string, Project>((query.data ?? []).map((p) => [p.id, p])), [query.data]);
  return { ...query, projects: query.data ?? [], byId };
}

/**
 * The members of one project (every member may read them); nothing is fetched while `projectId` is
 * null. `fresh` asks the server again on every mount (a panel about the members themselves).
 */
export function useMembers(projectId: string | null, fresh = false) {
  return useQuery({
    queryKey: projectKeys.members(projectId ?? ''),
    queryFn: ({ signal }) => listMembers(projectId ?? '', signal),
    enabled: projectId !== null,
    ...(fresh ? { refetchOnMount: 'always' as const } : {}),
  });
}

/** After a project, member or invitation change: the projects (names, roles, counts) and, when tasks may have gone or moved with it, every task view. */
export function refreshProjectViews(client: QueryClient, { tasks = false } = {}): Promise<unknown> {
  return Promise.all([
    client.invalidateQueries({ queryKey: projectKeys.all }),
    tasks ? client.invalidateQueries({ queryKey: TASKS_QUERY_ROOT }) : null,
  ]);
}
