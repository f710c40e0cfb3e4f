import { Router, type CookieOptions, type Request, type RequestHandler, type Response } from 'express';
import { HttpError } from '../http/problem.js';
import type { RateLimiters } from '../http/rate-limit.js';
import { parseInput } from '../http/validate.js';
import {
  PASSWORD_RESET_ACCEPTED,
  loginBody,
  passwordResetBody,
  passwordResetConfirmBody,
  refreshBody,
  registerBody,
  verifyEmailBody,
} from './auth.schemas.js';
import { requireAuth, userIdOf } from './auth.middleware.js';
import type { AuthService, Session } from './auth.service.js';
import { toAuthResponse, toUser } from './auth.wire.js';

export const AUTH_BASE_PATH = '/api/v1/auth';
export const REFRESH_COOKIE = 'primo_refresh';

export interface AuthRoutesOptions {
  service: AuthService;
  limiters: Pick<RateLimiters, 'authByIp' | 'loginByEmail' | 'mailByIp' | 'resetByEmail'>;
  refreshTtlMs: number;
  cookieSecure: boolean;
  /** Told of background work that failed after the response went out. */
  onBackgroundError: (work: string, error: unknown) => void;
}

/** Routes of /api/v1/auth: thin handlers over AuthService that also keep the refresh cookie in step. */
export function authRoutes(options: AuthRoutesOptions): Router {
  const { service, limiters } = options;
  const router = Router();
  const cookie: CookieOptions = {
    httpOnly: true,
    secure: options.cookieSecure,
    sameSite: 'strict',
    path: AUTH_BASE_PATH,
  };

  const sendSession = (res: Response, status: number, session: Session) => {
    res.cookie(REFRESH_COOKIE, session.refreshToken, { ...cookie, maxAge: options.refreshTtlMs });
    res.status(status).json(toAuthResponse(session));
  };

  const presentedRefreshToken = (req: Request): string | undefined => {
    const body = parseInput(refreshBody, req.body ?? {}, 'body');
    const fromCookie = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
    return body.refreshToken ?? (typeof fromCookie === 'string' && fromCookie !== '' ? fromCookie : undefined);
  };

  const register: RequestHandler = async (req, res) => {
    const input = parseInput(registerBody, req.body, 'body');
    sendSession(res, 201, await service.register(input));
  };

  const login: RequestHandler = async (req, res) => {
    const input = parseInput(loginBody, req.body, 'body');
    sendSession(res, 200, await service.login(input));
  };

  const refresh: RequestHandler = async (req, res) => {
    const token = presentedRefreshToken(req);
    if (token === undefined) {
      res.clearCookie(REFRESH_COOKIE, cookie);
      throw HttpError.unauthorized('Send the refresh token in the body or in the refresh cookie.');
    }
    try {
      sendSession(res, 200, await service.refresh(token));
    } catch (err) {
      res.clearCookie(REFRESH_COOKIE, cookie);
      throw err;
    }
  };

  const logout: RequestHandler = async (req, res) => {
    const token = presentedRefreshToken(req);
    if (token !== undefined) await service.logout(token);
    res.clearCookie(REFRESH_COOKIE, cookie);
    res.status(204).end();
  };

  // Answered before the address is even looked up: the same body at the same speed for every address.
  const requestReset: RequestHandler = (req, res) => {
    const { email } = parseInput(passwordResetBody, req.body, 'body');
    res.status(202).json(PASSWORD_RESET_ACCEPTED);
    service.requestPasswordReset(email).catch((error: unknown) => options.onBackgroundError('password reset', error));
  };

  const confirmReset: RequestHandler = async (req, res) => {
    const { token, password } = parseInput(passwordResetConfirmBody, req.body, 'body');
    await service.resetPassword(token, password);
    res.clearCookie(REFRESH_COOKIE, cookie);
    res.status(204).end();
  };

  const verifyEmail: RequestHandler = async (req, res) => {
    const { token } = parseInput(verifyEmailBody, req.body, 'body');
    await service.verifyEmail(token);
    res.status(204).end();
  };

  const resendVerification: RequestHandler = async (req, res) => {
    const user = await service.resendVerification(userIdOf(req));
    res.status(202).json({ user: toUser(user) });
  };

  const me: RequestHandler = async (req, res) => {
    res.json({ user: toUser(await service.me(userIdOf(req))) });
  };

  // Sessions and accounts: nothing under /auth may be kept by any cache, errors included.
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.post('/register', limiters.authByIp, register);
  router.post('/login', limiters.authByIp, limiters.loginByEmail, login);
  router.post('/refresh', refresh);
  router.post('/logout', logout);
  router.get('/me', requireAuth(), me);
  router.post('/password-reset', limiters.mailByIp, limiters.resetByEmail, requestReset);
  router.post('/password-reset/confirm', limiters.authByIp, confirmReset);
  router.post('/verify-email', limiters.authByIp, verifyEmail);
  router.post('/verify-email/resend', requireAuth(), limiters.mailByIp, resendVerification);
  return router;
}
