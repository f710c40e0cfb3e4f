import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithRequestId } from '../observability/request-context.js';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Adopts a sane incoming `X-Request-Id` or makes one, echoes it, and scopes the rest of the request to it. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming !== undefined && SANE_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = id;
    res.setHeader('X-Request-Id', id);
    runWithRequestId(id, next);
  };
}
