import { Router, type RequestHandler } from 'express';
import { requireAuth, userIdOf } from '../auth/auth.middleware.js';
import { isObjectId } from '../domain/ids.js';
import type { Clock } from '../domain/clock.js';
import { TaskNotFound } from '../domain/errors.js';
import type { CachedJson } from '../http/cached-json.js';
import { parseInput } from '../http/validate.js';
import { toListQuery } from './task-query.js';
import type { StoredResponse } from '../idempotency/idempotency.model.js';
import { idempotentWrite, sendStored } from '../idempotency/idempotency.middleware.js';
import type { TaskChanges, TaskRecord } from './tasks.repository.js';
import {
  createTaskBody,
  listTasksQuery,
  moveTaskBody,
  statsQuery,
  taskIdParam,
  updateTaskBody,
} from './tasks.schemas.js';
import type { TaskScope, TasksService } from './tasks.service.js';
import { taskEtag, toTask, toTaskList } from './tasks.wire.js';
import { parseIfMatch } from '../http/if-match.js';

export const TASKS_BASE_PATH = '/api/v1/tasks';

const toDate = (value: string | null) => (value === null ? null : new Date(value));

/** Converts validated body fields to the repository's types (dates as Dates). */
function toChanges<T extends { dueDate?: string | null; remindAt?: string | null }>(
  body: T,
): Omit<T, 'dueDate' | 'remindAt'> & Pick<TaskChanges, 'dueDate' | 'remindAt'> {
  const { dueDate, remindAt, ...rest } = body;
  return {
    ...rest,
    ...(dueDate === undefined ? {} : { dueDate: toDate(dueDate) }),
    ...(remindAt === undefined ? {} : { remindAt: toDate(remindAt) }),
  };
}

/** The project and assignee parameters of a list or stats query. */
function scopeOf(params: { projectId?: string[] | undefined; assignee?: string | undefined }): TaskScope {
  return {
    ...(params.projectId === undefined ? {} : { projectIds: params.projectId }),
    ...(params.assignee === undefined ? {} : { assignee: params.assignee }),
  };
}

/** A malformed id names no task: 404, exactly like another user's task. */
function taskIdOf(params: unknown): string {
  const { id } = parseInput(taskIdParam, params, 'params');
  if (!isObjectId(id)) throw new TaskNotFound();
  return id;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The answers of the keyed writes, built once for the client and for the key's record. */
const created = (task: TaskRecord): StoredResponse => ({
  status: 201,
  headers: { 'Content-Type': JSON_TYPE, Location: `${TASKS_BASE_PATH}/${task.id}`, ETag: taskEtag(task) },
  body: toTask(task),
});
const updated = (task: TaskRecord): StoredResponse => ({
  status: 200,
  headers: { 'Content-Type': JSON_TYPE, ETag: taskEtag(task) },
  body: toTask(task),
});
const deleted = (): StoredResponse => ({ status: 204, headers: {}, body: null });

export interface TasksRoutesOptions {
  service: TasksService;
  /** Cacheable reads answer through this (ETag, 304, Cache-Control, X-Cache). */
  reads: CachedJson;
  clock: Clock;
  /** `Idempotency-Key` handling for the keyed writes (see idempotency.middleware.ts). */
  idempotent: RequestHandler;
}

/** Routes of /api/v1/tasks: validated input in, one service call, a status out; reads go through the response cache. */
export function tasksRoutes(options: TasksRoutesOptions): Router {
  const { service, reads, clock, idempotent } = options;
  const router = Router();
  router.use(requireAuth());

  const list: RequestHandler = async (req, res) => {
    const params = parseInput(listTasksQuery, req.query, 'query');
    const query = toListQuery(params);
    const userId = userIdOf(req);
    await reads.send(req, res, userId, async () => ({
      body: toTaskList(await service.list(userId, query, scopeOf(params)), query.sort),
    }));
  };

  const stats: RequestHandler = async (req, res) => {
    const scope = scopeOf(parseInput(statsQuery, req.query, 'query'));
    const userId = userIdOf(req);
    // Overdue and due-today move with the clock, not only with writes: cache per minute.
    const minute = clock().toISOString().slice(0, 16);
    await reads.send(req, res, userId, async () => ({ body: await service.stats(userId, scope) }), { variant: minute });
  };

  const getOne: RequestHandler = async (req, res) => {
    const id = taskIdOf(req.params);
    const userId = userIdOf(req);
    await reads.send(req, res, userId, async () => {
      const task = await service.get(userId, id);
      return { body: toTask(task), etag: taskEtag(task) };
    });
  };

  const create: RequestHandler = async (req, res) => {
    const body = toChanges(parseInput(createTaskBody, req.body, 'body'));
    const task = await service.create(userIdOf(req), body, idempotentWrite(req, created));
    sendStored(res, created(task));
  };

  const update: RequestHandler = async (req, res) => {
    const id = taskIdOf(req.params);
    const changes = toChanges(parseInput(updateTaskBody, req.body, 'body'));
    const expected = parseIfMatch(req.get('if-match'), id);
    const task = await service.update(userIdOf(req), id, changes, expected, idempotentWrite(req, updated));
    sendStored(res, updated(task));
  };

  const move: RequestHandler = async (req, res) => {
    const id = taskIdOf(req.params);
    const body = parseInput(moveTaskBody, req.body, 'body');
    const task = await service.move(userIdOf(req), id, body, parseIfMatch(req.get('if-match'), id));
    res.setHeader('ETag', taskEtag(task)).json(toTask(task));
  };

  const remove: RequestHandler = async (req, res) => {
    const id = taskIdOf(req.params);
    await service.delete(userIdOf(req), id, parseIfMatch(req.get('if-match'), id), idempotentWrite(req, deleted));
    sendStored(res, deleted());
  };

  router.get('/', list);
  router.post('/', idempotent, create);
  router.get('/stats', stats);
  router.get('/:id', getOne);
  router.patch('/:id', idempotent, update);
  router.post('/:id/move', move);
  router.delete('/:id', idempotent, remove);
  return router;
}
