import type { AuthResponse, ProblemBody, User } from '@primo/api/contract/wire';

/** A problem+json body as received: a proxy or an old server may send only some of its fields. */
type ReceivedProblem = Partial<ProblemBody>;

/** Any failed API call: `status` 0 means the request never got an answer (offline, DNS, reset). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ReceivedProblem | null;
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    message: string,
    problem: ReceivedProblem | null = null,
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** Failures worth retrying unchanged: no answer, or the server side broke. */
  get isTransient(): boolean {
    return this.status === 0 || this.status >= 500;
  }

  /** Field messages keyed by the top-level field (`tags.2` counts as `tags`), first message wins. */
  get fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const { path, message } of this.problem?.errors ?? []) {
      const field = path.split('.')[0] || '_form';
      fields[field] ??= message;
    }
    return fields;
  }
}

const API_BASE = '/api/v1';

let accessToken: string | null = null;
let refreshInFlight: Promise<User | null> | null = null;
const sessionEndListeners = new Set<() => void>();

/** The access token lives in this module's memory only; a reload recovers it through the refresh cookie. */
export function setAccessToken(token: string | null): void {
  accessToken = token;
}

/** The access token for a channel of its own (the live socket's handshake), or null without a session. */
export function currentAccessToken(): string | null {
  return accessToken;
}

/** Registers a callback for when the session is gone for good (refresh refused); returns the unsubscribe. */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndListeners.add(listener);
  return () => sessionEndListeners.delete(listener);
}

function endSession(): void {
  accessToken = null;
  for (const listener of sessionEndListeners) listener();
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the bearer token and, on 401, refresh once and retry. Default true. */
  auth?: boolean;
  /** Lets a request outlive the page (used to flush pending deletes on `pagehide`). */
  keepalive?: boolean;
}

function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 304) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(`${API_BASE}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'include',
      signal: options.signal,
      keepalive: options.keepalive,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const body = (await readBody(response)) as ReceivedProblem | undefined;
  const problem = body && typeof body === 'object' ? body : null;
  const message = problem?.detail || problem?.title || `Request failed with status ${response.status}`;
  return new ApiError(response.status, message, problem, parseRetryAfter(response.headers.get('retry-after')));
}

/**
 * Calls the API and returns the parsed JSON body (undefined for 204). A 401 on an authenticated call
 * triggers one silent refresh and one retry; if that fails too the session ends for every listener.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const useAuth = options.auth ?? true;
  let response = await send(path, options, useAuth ? accessToken : null);
  if (response.status === 401 && useAuth) {
    const user = await refreshSession();
    if (!user) {
      endSession();
      throw await toApiError(response);
    }
    response = await send(path, options, accessToken);
    if (response.status === 401) {
      endSession();
      throw await toApiError(response);
    }
  }
  if (!response.ok) throw await toApiError(response);
  return (await readBody(response)) as T;
}

async function requestRefresh(): Promise<User | null> {
  // An empty body: the refresh token travels only in its HttpOnly cookie.
  const response = await send('/auth/refresh', { method: 'POST', body: {} }, null);
  if (!response.ok) {
    if (response.status === 401 || response.status === 400) {
      accessToken = null;
      return null;
    }
    throw await toApiError(response);
  }
  const body = (await readBody(response)) as AuthResponse;
  accessToken = body.accessToken;
  return body.user;
}

/**
 * Trades the refresh cookie for a new access token; returns the user, or null when there is no session.
 * Single-flight: refresh tokens are single use, so a second concurrent refresh would present a spent
 * token and revoke the whole family. Across tabs the Web Locks API serialises them for the same reason.
 */
export function refreshSession(): Promise<User | null> {
  refreshInFlight ??= (async () => {
    try {
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      return locks ? await locks.request('primo-refresh', requestRefresh) : await requestRefresh();
    } finally {
      refreshInFlight = null;
    }
  })();
  return refreshInFlight;
}

/** Stores the access token from a sign-in answer and returns the user; the refresh token is deliberately dropped. */
export function acceptAuthResponse(response: AuthResponse): User {
  accessToken = response.accessToken;
  return response.user;
}
