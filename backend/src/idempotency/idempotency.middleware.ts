import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { userIdOf } from '../auth/auth.middleware.js';
import type { Clock } from '../domain/clock.js';
import { HttpError } from '../http/problem.js';
import type { Logger } from '../observability/logger.js';
import {
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyClaim,
  type IdempotentWrite,
  type StoredResponse,
} from './idempotency.model.js';
import type { IdempotencyRepository } from './idempotency.repository.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** The response headers a kept answer carries again. */
const KEPT_HEADERS = ['ETag', 'Location', 'Content-Type'] as const;

const claims = new WeakMap<Request, IdempotencyClaim>();

/** The method, the path and the parsed body: what makes a repeat "the same request". */
function fingerprintOf(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n`)
    .update(JSON.stringify(req.body ?? null))
    .digest('base64url');
}

/** Sends a kept (or just built) response. */
export function sendStored(res: Response, response: StoredResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.body === null) res.end();
  else if (res.hasHeader('Content-Type')) res.send(JSON.stringify(response.body));
  else res.json(response.body);
}

/**
 * What a route hands its write so that the write keeps `respond(result)` as the key's answer in its own
 * transaction; undefined when the request carried no key.
 */
export function idempotentWrite<T>(
  req: Request,
  respond: (result: T) => StoredResponse,
): IdempotentWrite<T> | undefined {
  const claim = claims.get(req);
  return claim === undefined ? undefined : { claim, respond };
}

/** Reads back what the route sent, for an answer that no write kept (an error). */
function captureBody(res: Response): () => unknown {
  let sent: unknown = null;
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    sent = body ?? null;
    return send(body);
  };
  return () => {
    if (typeof sent === 'string' || Buffer.isBuffer(sent)) {
      try {
        return JSON.parse(sent.toString()) as unknown;
      } catch {
        return null;
      }
    }
    return sent;
  };
}

export interface IdempotencyOptions {
  repository: IdempotencyRepository;
  clock: Clock;
  logger: Logger;
  /** How long a claim holds before a retry may take over a key whose first attempt died. */
  leaseMs: number;
}

/**
 * `Idempotency-Key` for one write route (after authentication): claims the key before the write
 * runs; answers a repeat from the kept response (`Idempotent-Replayed: true`), a repeat while the first
 * attempt runs with 409, and the key used for another request with 422. The write itself keeps its
 * success response (see idempotentWrite); an error answer is kept after it is sent, and a server
 * failure gives the key up so that a retry runs the request again.
 */
export function idempotency(options: IdempotencyOptions): RequestHandler {
  const { repository, clock, logger, leaseMs } = options;
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) {
      next();
      return;
    }
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw HttpError.validation(
        [{ path: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 255 visible ASCII characters' }],
        'The Idempotency-Key header is not valid.',
      );
    }
    const userId = userIdOf(req);
    const outcome = await repository.claim({ userId, key, fingerprint: fingerprintOf(req), now: clock(), leaseMs });
    switch (outcome.kind) {
      case 'mismatch':
        throw new HttpError(422, 'This Idempotency-Key was used for a different request.', {
          slug: 'idempotency-key-reused',
        });
      case 'in_flight':
        throw new HttpError(409, 'A request with this Idempotency-Key is still in progress; retry shortly.', {
          slug: 'idempotency-key-in-use',
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))) },
        });
      case 'replay':
        res.setHeader(REPLAYED_HEADER, 'true');
        sendStored(res, outcome.response);
        return;
      case 'claimed':
        break;
    }
    const { claim } = outcome;
    claims.set(req, claim);
    const bodySent = captureBody(res);
    res.on('finish', () => {
      const settled =
        res.statusCode >= 500
          ? repository.release(claim)
          : repository.settle(claim, {
              status: res.statusCode,
              headers: Object.fromEntries(
                KEPT_HEADERS.flatMap((name) => {
                  const value = res.getHeader(name);
                  return value === undefined ? [] : [[name, String(value)]];
                }),
              ),
              body: bodySent(),
            });
      // A success was kept by its write; settling it again changes nothing.
      settled.catch((error: unknown) => {
        logger.warn('could not settle an idempotency key; it frees itself when its lease runs out', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    });
    next();
  };
}
