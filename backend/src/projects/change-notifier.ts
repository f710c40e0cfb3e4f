import type { ProjectRepository } from './projects.repository.js';

/**
 * Told after every committed write: the projects it touched and any users it concerns besides their
 * members (a removed member). Implementations never throw.
 */
export type ChangeListener = (change: { projectIds: readonly string[]; userIds?: readonly string[] }) => Promise<void>;

/**
 * A listener that calls `perUser` once for every member of the touched projects and every named
 * user: the response cache is per user, so a write by any member reaches every member's next read.
 */
export function notifyMembers(
  projects: Pick<ProjectRepository, 'memberIds'>,
  perUser: (userId: string) => Promise<void>,
): ChangeListener {
  return async ({ projectIds, userIds = [] }) => {
    const users = new Set(userIds);
    for (const projectId of new Set(projectIds)) {
      try {
        for (const userId of await projects.memberIds(projectId)) users.add(userId);
      } catch {
        // The write has committed; a member list that cannot be read now leaves their cached reads
        // to expire by TTL, as a cache that is down does.
      }
    }
    await Promise.all([...users].map((userId) => perUser(userId)));
  };
}
