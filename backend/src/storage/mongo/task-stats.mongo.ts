import type { PipelineStage, Types } from 'mongoose';
import type { TaskStatsRecord } from '../../tasks/tasks.repository.js';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../tasks/tasks.schemas.js';

const DAY_MS = 86_400_000;
const COMPLETED_DAYS = 14;
const OPEN_STATUSES = TASK_STATUSES.filter((status) => status !== 'done');

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

/** UTC day boundaries of a stats read: the end of today and the first instant of the 14-day window. */
export function statsWindow(now: Date): { endOfDay: Date; firstDay: Date } {
  const startOfDay = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { endOfDay: new Date(startOfDay + DAY_MS), firstDay: new Date(startOfDay - (COMPLETED_DAYS - 1) * DAY_MS) };
}

/**
 * One aggregation over the user's tasks (the `$match` on `user` uses an index): counts by status
 * and priority, overdue and due-today among open tasks, and completions per UTC day.
 */
export function taskStatsPipeline(user: Types.ObjectId, now: Date): PipelineStage[] {
  const { endOfDay, firstDay } = statsWindow(now);
  const countBy = (field: string): PipelineStage.FacetPipelineStage[] => [
    { $group: { _id: `$${field}`, n: { $sum: 1 } } },
  ];
  return [
    { $match: { user } },
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
  const countOf = (counts: Count[] | undefined, key: string) => counts?.find((count) => count._id === key)?.n ?? 0;
  const byStatus = Object.fromEntries(
    TASK_STATUSES.map((status) => [status, countOf(facets?.byStatus, status)]),
  ) as TaskStatsRecord['byStatus'];
  const byPriority = Object.fromEntries(
    TASK_PRIORITIES.map((priority) => [priority, countOf(facets?.byPriority, priority)]),
  ) as TaskStatsRecord['byPriority'];
  const due = facets?.due[0];
  const { firstDay } = statsWindow(now);
  const completedByDay = Array.from({ length: COMPLETED_DAYS }, (_, offset) => {
    const date = new Date(firstDay.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
    return { date, count: countOf(facets?.completed, date) };
  });
  return {
    total: Object.values(byStatus).reduce((sum, n) => sum + n, 0),
    byStatus,
    byPriority,
    overdue: due?.overdue ?? 0,
    dueToday: due?.dueToday ?? 0,
    completedByDay,
  };
}
