import { Router, type RequestHandler } from 'express';
import { requireAuth, userIdOf } from '../auth/auth.middleware.js';
import { TaskNotFound } from '../domain/errors.js';
import { isObjectId } from '../domain/ids.js';
import { parseInput } from '../http/validate.js';
import { encodeSeq } from './change.model.js';
import { activityQuery, listChangesQuery } from './changes.schemas.js';
import type { ChangesService } from './changes.service.js';
import { toChange } from './changes.wire.js';

export const CHANGES_PATH = '/api/v1/changes';

/** `GET /changes` and `GET /tasks/:id/activity`, mounted at /api/v1. Never cached: they are positions in a log. */
export function changesRoutes({ service }: { service: ChangesService }): Router {
  const router = Router();

  const list: RequestHandler = async (req, res) => {
    const query = parseInput(listChangesQuery, req.query, 'query');
    const page = await service.list(userIdOf(req), query.since, query.limit);
    res
      .setHeader('Cache-Control', 'no-store')
      .json({ data: page.items.map(toChange), nextCursor: encodeSeq(page.cursor) });
  };

  const activity: RequestHandler = async (req, res) => {
    const taskId = String(req.params.id);
    if (!isObjectId(taskId)) throw new TaskNotFound();
    const query = parseInput(activityQuery, req.query, 'query');
    const page = await service.activity(userIdOf(req), taskId, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { before: query.cursor }),
    });
    res.setHeader('Cache-Control', 'no-store').json({
      data: page.items.map(toChange),
      nextCursor: page.next === null ? null : encodeSeq(page.next),
    });
  };

  router.get('/changes', requireAuth(), list);
  router.get('/tasks/:id/activity', requireAuth(), activity);
  return router;
}
