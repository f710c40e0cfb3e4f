import { z } from 'zod';
import {
  DESCRIPTION_MAX,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  QUERY_TEXT_MAX,
  TAG_MAX,
  TAGS_MAX,
  TASK_PRIORITIES,
  TASK_SORTS,
  TASK_STATUSES,
  TITLE_MAX,
  type TaskSortParam,
} from './task.model.js';
import { RECURRENCE_FROM, ruleProblem } from './recurrence.js';

/** The most projects one list or stats request may name in `projectId`. */
export const PROJECT_FILTER_MAX = 100;

const isoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time such as 2026-11-22T10:00:00Z',
});

const title = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(TITLE_MAX, `must be at most ${TITLE_MAX} characters`);
const description = z
  .string({ error: 'must be a string' })
  .max(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`);
const status = z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` });
const priority = z.enum(TASK_PRIORITIES, { error: `must be one of ${TASK_PRIORITIES.join(', ')}` });
const tag = z
  .string({ error: 'must be a string' })
  .trim()
  .toLowerCase()
  .min(1, 'must not be empty')
  .max(TAG_MAX, `must be at most ${TAG_MAX} characters`);
const tags = z
  .array(tag, { error: 'must be an array of strings' })
  .max(TAGS_MAX, `must hold at most ${TAGS_MAX} tags`)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a tag (tags are compared lower-cased)');
const dueDate = isoDateTime.nullable();
const objectId = z.string({ error: 'must be a string' }).regex(/^[0-9a-f]{24}$/, 'must be an id (24 hex characters)');
const assigneeId = objectId.nullable();
/** When to remind; the service checks that it lies in the future. */
const remindAt = isoDateTime.nullable();
const recurrence = z
  .strictObject(
    {
      rule: z
        .string({ error: 'must be a string' })
        .trim()
        .superRefine((rule, ctx) => {
          const problem = ruleProblem(rule);
          if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
        }),
      from: z.enum(RECURRENCE_FROM, { error: `must be one of ${RECURRENCE_FROM.join(', ')}` }),
    },
    { error: 'must be an object { rule, from } or null' },
  )
  .nullable();

/** `projectId` of list and stats: one id or a comma-separated list. */
const projectIds = z
  .string()
  .transform((raw) => raw.split(',').map((item) => item.trim()))
  .pipe(z.array(objectId).min(1).max(PROJECT_FILTER_MAX, `must name at most ${PROJECT_FILTER_MAX} projects`))
  .transform((ids) => [...new Set(ids)]);
/** `assignee` of list and stats: `me`, `none` or a user id. */
const assignee = z.union([z.literal('me'), z.literal('none'), objectId], {
  error: 'must be me, none or a user id',
});

/** Body of POST /api/v1/tasks. */
export const createTaskBody = z.strictObject({
  projectId: objectId.optional(),
  assigneeId: assigneeId.optional(),
  title,
  description: description.optional(),
  status: status.optional(),
  priority: priority.optional(),
  dueDate: dueDate.optional(),
  tags: tags.optional(),
  remindAt: remindAt.optional(),
  recurrence: recurrence.optional(),
});

/** Body of PATCH /api/v1/tasks/:id: any non-empty subset of the writable fields. */
export const updateTaskBody = z
  .strictObject({
    projectId: objectId.optional(),
    assigneeId: assigneeId.optional(),
    title: title.optional(),
    description: description.optional(),
    status: status.optional(),
    priority: priority.optional(),
    dueDate: dueDate.optional(),
    tags: tags.optional(),
    remindAt: remindAt.optional(),
    recurrence: recurrence.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'must change at least one field');

/** Body of POST /api/v1/tasks/:id/move: the column and the neighbours, at least one of them. */
export const moveTaskBody = z
  .strictObject({
    status: status.optional(),
    afterId: objectId.optional(),
    beforeId: objectId.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'must name a status, an afterId or a beforeId')
  .refine((body) => body.afterId === undefined || body.afterId !== body.beforeId, {
    message: 'must differ from afterId',
    path: ['beforeId'],
  });

const csvOf = <T extends readonly [string, ...string[]]>(values: T, name: string) =>
  z.string().transform((raw, ctx) => {
    const items = raw.split(',').map((item) => item.trim());
    const wanted: T[number][] = [];
    for (const item of items) {
      if (!(values as readonly string[]).includes(item)) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not a ${name}; use ${values.join(', ')}` });
        return z.NEVER;
      }
      if (!wanted.includes(item)) wanted.push(item);
    }
    return wanted;
  });

/** Query string of GET /api/v1/tasks. Values arrive as strings; unknown parameters are rejected. */
export const listTasksQuery = z.strictObject({
  projectId: projectIds.optional(),
  assignee: assignee.optional(),
  status: csvOf(TASK_STATUSES, 'status').optional(),
  priority: csvOf(TASK_PRIORITIES, 'priority').optional(),
  tag: tag.optional(),
  q: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(QUERY_TEXT_MAX, `must be at most ${QUERY_TEXT_MAX} characters`)
    .optional(),
  dueBefore: isoDateTime.optional(),
  dueAfter: isoDateTime.optional(),
  sort: z
    .enum(TASK_SORTS as [TaskSortParam, ...TaskSortParam[]], { error: `must be one of ${TASK_SORTS.join(', ')}` })
    .default('-createdAt'),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(LIST_LIMIT_MAX, `must be at most ${LIST_LIMIT_MAX}`))
    .default(LIST_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(512).optional(),
});

/** GET /api/v1/tasks/stats narrows by project and assignee as the list does. */
export const statsQuery = z.strictObject({ projectId: projectIds.optional(), assignee: assignee.optional() });

/** Path parameter of the single-task routes. A malformed id is treated as not found. */
export const taskIdParam = z.strictObject({ id: z.string() });

/** A task as the API returns it. */
export const taskSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  assigneeId: z.string().nullable(),
  createdBy: z.string(),
  title: z.string(),
  description: z.string(),
  status,
  priority,
  dueDate: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  version: z.number().int().min(1),
  /** Board order within the project's column for the status (opaque; compare as strings). */
  position: z.string(),
  remindAt: z.string().nullable(),
  recurrence: z.object({ rule: z.string(), from: z.enum(RECURRENCE_FROM) }).nullable(),
});

export const taskListSchema = z.object({
  data: z.array(taskSchema),
  nextCursor: z.string().nullable(),
});

export const taskStatsSchema = z.object({
  total: z.number().int(),
  byStatus: z.object({ todo: z.number().int(), in_progress: z.number().int(), done: z.number().int() }),
  byPriority: z.object({
    low: z.number().int(),
    medium: z.number().int(),
    high: z.number().int(),
    urgent: z.number().int(),
  }),
  overdue: z.number().int(),
  dueToday: z.number().int(),
  completedByDay: z.array(z.object({ date: z.string(), count: z.number().int() })),
});

export type CreateTaskInput = z.input<typeof createTaskBody>;
export type UpdateTaskInput = z.input<typeof updateTaskBody>;
export type MoveTaskInput = z.input<typeof moveTaskBody>;
export type ListTasksParams = z.input<typeof listTasksQuery>;
export type Task = z.infer<typeof taskSchema>;
export type TaskList = z.infer<typeof taskListSchema>;
export type TaskStats = z.infer<typeof taskStatsSchema>;
