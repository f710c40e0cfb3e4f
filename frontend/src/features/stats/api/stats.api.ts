import type { TaskStats } from '@primo/api/contract/wire';
import { apiRequest } from '../../../lib/api-client';

/** Under the `tasks` root key on purpose: every task write invalidates `['tasks']`, so the stats refresh too. */
export const statsKey = ['tasks', 'stats'] as const;

export function getStats(signal?: AbortSignal): Promise<TaskStats> {
  return apiRequest<TaskStats>('/tasks/stats', signal ? { signal } : {});
}
