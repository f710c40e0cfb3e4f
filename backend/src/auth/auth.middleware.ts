import type { RequestHandler } from 'express';
import { HttpError } from '../http/problem.js';
import type { AccessTokens } from './tokens.js';

const BEARER = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i;

/**
 * Verifies a bearer token once per request when one is sent, setting `req.auth`;
 * it never rejects, so the rate limiter can key by user and routes decide what they require.
 */
export function identify(tokens: AccessTokens): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) return next();
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      res.locals.authFailure = 'invalid';
      return next();
    }
    const check = tokens.verify(match[1]);
    if (check.ok) req.auth = { userId: check.userId };
    else res.locals.authFailure = check.reason;
    next();
  };
}

/** 401 with `WWW-Authenticate: Bearer` unless `identify` accepted the token. */
export function requireAuth(): RequestHandler {
  return (req, res, next) => {
    if (req.auth) return next();
    const failure = res.locals.authFailure as 'expired' | 'invalid' | undefined;
    if (failure === undefined)
      return next(HttpError.unauthorized('Send an access token as "Authorization: Bearer <token>".'));
    const description = failure === 'expired' ? 'The access token has expired.' : 'The access token is not valid.';
    next(
      new HttpError(401, description, {
        headers: {
          'WWW-Authenticate': `Bearer realm="primo", error="invalid_token", error_description="${description}"`,
        },
      }),
    );
  };
}

/** The authenticated user's id inside a route behind requireAuth. */
export function userIdOf(req: { auth?: { userId: string } }): string {
  if (!req.auth) throw HttpError.unauthorized();
  return req.auth.userId;
}
