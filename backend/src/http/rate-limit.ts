import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { SharedRateLimitStore, type WhenRedisDown } from '../cache/rate-limit-store.js';
import type { RedisConnection } from '../cache/redis-connection.js';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { HttpError } from './problem.js';

export interface RateLimiters {
  /** Whole API: `rateLimit.max` per window, per user when authenticated, else per client IP. Fails open without Redis. */
  api: RequestHandler;
  /** POST login and register: `rateLimit.authMax` per minute per client IP. Counts per instance without Redis. */
  authByIp: RequestHandler;
  /** POST login (after the JSON parser): `rateLimit.authMax` per minute per email address. */
  loginByEmail: RequestHandler;
  /** Requests for emailed links (password reset, verification again): `rateLimit.authMax` per hour per IP. */
  mailByIp: RequestHandler;
  /** POST password-reset (after the JSON parser): `rateLimit.authMax` per hour per email address. */
  resetByEmail: RequestHandler;
}

export interface RateLimitersOptions {
  config: Config;
  redis: RedisConnection | null;
  metrics: Metrics;
  logger: Logger;
}

const AUTH_WINDOW_MS = 60_000;
/** Emailed links are asked for at most `authMax` times an hour. */
const MAIL_WINDOW_MS = 60 * 60_000;

/** The body's email address, hashed so addresses do not sit in Redis in the clear. */
function emailKey(req: Request): string {
  return `email:${createHash('sha256')
    .update(emailOf(req) ?? '')
    .digest('hex')}`;
}

/** IPv6 clients are counted per /56, since one host commonly owns a whole prefix. */
function clientIpKey(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown', 56)}`;
}

function emailOf(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const email = (body as { email?: unknown }).email;
  return typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : undefined;
}

/**
 * express-rate-limit reports through `logger.error(error, message)`. Store failures are already
 * announced once by the Redis connection, so they stay at debug instead of one line per request.
 */
function limiterLogger(logger: Logger, limiter: string) {
  return {
    warn(error: unknown) {
      logger.warn(`rate limiter ${limiter}: ${error instanceof Error ? error.message : String(error)}`);
    },
    error(error: unknown, message?: string) {
      const detail = error instanceof Error ? error.message : String(error);
      if (message?.includes('error from store') === true) {
        logger.debug(`rate limiter ${limiter}: store unavailable, request allowed`, { reason: detail });
      } else {
        logger.error(`rate limiter ${limiter}: ${message ?? detail}`, { reason: detail });
      }
    },
  };
}

interface LimiterSpec {
  name: string;
  windowMs: number;
  limit: number;
  key: (req: Request) => string;
  skip?: (req: Request) => boolean;
  whenRedisDown: WhenRedisDown;
}

/** Builds the three limiters; with Redis their counters are shared by every instance. */
export function createRateLimiters(options: RateLimitersOptions): RateLimiters {
  const { config, redis, metrics, logger } = options;

  function limiter(spec: LimiterSpec): RequestHandler {
    const store: Store | undefined =
      redis === null
        ? undefined
        : new SharedRateLimitStore({ redis, prefix: `rl:${spec.name}:`, whenRedisDown: spec.whenRedisDown });
    return rateLimit({
      windowMs: spec.windowMs,
      limit: spec.limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: spec.name,
      keyGenerator: (req) => spec.key(req),
      ...(spec.skip !== undefined ? { skip: (req: Request) => spec.skip?.(req) ?? false } : {}),
      store,
      passOnStoreError: spec.whenRedisDown === 'allow',
      logger: limiterLogger(logger, spec.name),
      // Keys come from our own generators (req.ip already honours `trust proxy` hops), so the
      // checks of the default IP key generator do not apply and must not warn.
      validate: { trustProxy: false, xForwardedForHeader: false, ip: false },
      handler: (req: Request, res: Response) => {
        metrics.rateLimited.inc({ limiter: spec.name });
        const error = new HttpError(429, 'Too many requests; retry after the time given in Retry-After.');
        res
          .status(429)
          .type('application/problem+json')
          .send(JSON.stringify(error.toBody(req.requestId ?? '')));
      },
    });
  }

  return {
    api: limiter({
      name: 'api',
      windowMs: config.rateLimit.windowMs,
      limit: config.rateLimit.max,
      key: (req) => (req.auth?.userId !== undefined ? `user:${req.auth.userId}` : clientIpKey(req)),
      whenRedisDown: 'allow',
    }),
    authByIp: limiter({
      name: 'auth-ip',
      windowMs: AUTH_WINDOW_MS,
      limit: config.rateLimit.authMax,
      key: clientIpKey,
      whenRedisDown: 'count-locally',
    }),
    loginByEmail: limiter({
      name: 'login-email',
      windowMs: AUTH_WINDOW_MS,
      limit: config.rateLimit.authMax,
      key: emailKey,
      skip: (req) => emailOf(req) === undefined,
      whenRedisDown: 'count-locally',
    }),
    mailByIp: limiter({
      name: 'mail-ip',
      windowMs: MAIL_WINDOW_MS,
      limit: config.rateLimit.authMax,
      key: clientIpKey,
      whenRedisDown: 'count-locally',
    }),
    resetByEmail: limiter({
      name: 'reset-email',
      windowMs: MAIL_WINDOW_MS,
      limit: config.rateLimit.authMax,
      key: emailKey,
      skip: (req) => emailOf(req) === undefined,
      whenRedisDown: 'count-locally',
    }),
  };
}
