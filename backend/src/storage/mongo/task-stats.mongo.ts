import type { PipelineStage } from 'mongoose';
import type { TaskStatsRecord } from '../../tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_STATUSES, completedByDay, emptyStats, statsWindow } from '../../tasks/task.model.js';
import { assigneeCondition, projectCondition } from './task-query.mongo.js';

/** The statuses of a task not done yet. */
export const OPEN_STATUSES = TASK_STATUSES.filter((status) => status !== 'done');

interface Count {
  _id: string;
  n: number;
}

/** The one document the stats pipeline returns. */
export interface TaskStatsFacets {
  byStatus: Count[];
  byPriority: Count[];
  due: { overdue: number; dueToday: number }[];
  completed: Count[];
}

/** Which tasks stats count: those of these projects (well-formed ids), narrowed as TaskFilter.assignee does. */
export interface StatsScope {
  projectIds: readonly string[];
  assignee?: string | null;
}

/** The `$match` of a stats read: the same conditions on `project` and `assignee` as a list (so the same indexes serve it). */
export function statsMatch(scope: StatsScope): Record<string, unknown> {
  const match: Record<string, unknown> = { project: projectCondition(scope.projectIds) };
  if (scope.assignee !== undefined) match.assignee = assigneeCondition(scope.assignee);
  return match;
}

/**
 * One aggregation over the tasks of some projects (the `$match` on `project`, and `assignee`, uses an
 * index): counts by status and priority, overdue and due-today among open tasks, and completions per UTC day.
 */
export function taskStatsPipeline(scope: StatsScope, now: Date): PipelineStage[] {
  const { endOfDay, firstDay } = statsWindow(now);
  const countBy = (field: string): PipelineStage.FacetPipelineStage[] => [
    { $group: { _id: `$${field}`, n: { $sum: 1 } } },
  ];
  return [
    { $match: statsMatch(scope) },
    {
      $facet: {
        byStatus: countBy('status'),
        byPriority: countBy('priority'),
        due: [
          { $match: { status: { $in: OPEN_STATUSES }, dueDate: { $lt: endOfDay } } },
          {
            $group: {
              _id: null,
              overdue: { $sum: { $cond: [{ $lt: ['$dueDate', now] }, 1, 0] } },
              dueToday: { $sum: { $cond: [{ $lt: ['$dueDate', now] }, 0, 1] } },
            },
          },
        ],
        completed: [
          { $match: { completedAt: { $gte: firstDay, $lt: endOfDay } } },
          { $group: { _id: { $dateToString: { format: '%Y-%m-%d', date: '$completedAt' } }, n: { $sum: 1 } } },
        ],
      },
    },
  ];
}

/** The stats record from the pipeline's result (undefined when there was none), zero-filled. */
export function toTaskStats(facets: TaskStatsFacets | undefined, now: Date): TaskStatsRecord {
  const stats = emptyStats(now);
  if (facets === undefined) return stats;
  const countOf = (counts: Count[], key: string) => counts.find((count) => count._id === key)?.n ?? 0;
  for (const status of TASK_STATUSES) stats.byStatus[status] = countOf(facets.byStatus, status);
  for (const priority of TASK_PRIORITIES) stats.byPriority[priority] = countOf(facets.byPriority, priority);
  stats.total = Object.values(stats.byStatus).reduce((sum, n) => sum + n, 0);
  stats.overdue = facets.due[0]?.overdue ?? 0;
  stats.dueToday = facets.due[0]?.dueToday ?? 0;
  stats.completedByDay = completedByDay(now, new Map(facets.completed.map((count) => [count._id, count.n])));
  return stats;
}
