import { describe, expect, it, vi } from 'vitest';
import { json, mockFetch, problem } from '../test/fetch-mock';
import { alice } from '../test/fixtures';
import { ApiError, apiRequest, onSessionEnded, refreshSession, setAccessToken } from './api-client';
import { describeError } from './describe-error';

describe('apiRequest', () => {
  it('when a call gets 401, then it refreshes through the cookie once and retries with the new token', async () => {
    const api = mockFetch();
    setAccessToken('expired');
    api.on('GET', '/api/v1/tasks/stats', (request) =>
      request.headers.get('authorization') === 'Bearer fresh' ? json(200, { total: 3 }) : problem(401),
    );
    api.on('POST', '/api/v1/auth/refresh', json(200, { user: alice, accessToken: 'fresh', refreshToken: 'r2' }));

    await expect(apiRequest('/tasks/stats')).resolves.toEqual({ total: 3 });

    const [refresh] = api.to('POST', '/api/v1/auth/refresh');
    expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(refresh?.body).toEqual({});
    expect(refresh?.credentials).toBe('include');
    expect(api.to('GET', '/api/v1/tasks/stats').map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer expired',
      'Bearer fresh',
    ]);
  });

  it('when several calls get 401 at once, then a single refresh serves them all', async () => {
    const api = mockFetch();
    setAccessToken('expired');
    api.on('GET', /^\/api\/v1\/tasks\/\w+$/, (request) =>
      request.headers.get('authorization') === 'Bearer fresh' ? json(200, { ok: true }) : problem(401),
    );
    api.on('POST', '/api/v1/auth/refresh', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return json(200, { user: alice, accessToken: 'fresh', refreshToken: 'r2' });
    });

    await Promise.all([apiRequest('/tasks/a'), apiRequest('/tasks/b'), apiRequest('/tasks/c')]);

    expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('when the refresh is refused, then the session ends and the 401 reaches the caller', async () => {
    const api = mockFetch();
    setAccessToken('expired');
    api.on('GET', '/api/v1/tasks', problem(401, { title: 'Unauthorized' }));
    api.on('POST', '/api/v1/auth/refresh', problem(401));
    const ended = vi.fn();
    const unsubscribe = onSessionEnded(ended);

    const error = await apiRequest('/tasks').catch((caught: unknown) => caught);

    unsubscribe();
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(api.to('GET', '/api/v1/tasks')).toHaveLength(1);
  });

  it('when the refresh succeeds but the retry is still 401, then it does not loop', async () => {
    const api = mockFetch();
    api.on('GET', '/api/v1/tasks', problem(401));
    api.on('POST', '/api/v1/auth/refresh', json(200, { user: alice, accessToken: 'fresh', refreshToken: 'r2' }));
    const ended = vi.fn();
    const unsubscribe = onSessionEnded(ended);

    await expect(apiRequest('/tasks')).rejects.toMatchObject({ status: 401 });

    unsubscribe();
    expect(api.to('GET', '/api/v1/tasks')).toHaveLength(2);
    expect(api.to('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('when the answer is a validation problem, then its errors are keyed by field', async () => {
    const api = mockFetch();
    api.on(
      'POST',
      '/api/v1/tasks',
      problem(400, {
        detail: 'Validation failed',
        errors: [
          { path: 'title', message: 'must not be empty' },
          { path: 'tags.1', message: 'must be at most 32 characters' },
        ],
      }),
    );

    const error = (await apiRequest('/tasks', { method: 'POST', body: {} }).catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(400);
    expect(error.fieldErrors).toEqual({ title: 'must not be empty', tags: 'must be at most 32 characters' });
  });

  it('when rate limited, then the message says when to retry', async () => {
    const api = mockFetch();
    api.on('GET', '/api/v1/tasks', problem(429, { title: 'Too Many Requests' }, { 'Retry-After': '42' }));

    const error = await apiRequest('/tasks').catch((e: unknown) => e);

    expect((error as ApiError).retryAfterSeconds).toBe(42);
    expect(describeError(error)).toBe('Too many requests. You can try again in 42 seconds.');
  });

  it('when the network is down, then the error has status 0 and is transient', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));

    const error = (await apiRequest('/tasks').catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(0);
    expect(error.isTransient).toBe(true);
    expect(describeError(error)).toMatch(/cannot reach the server/);
  });
});

describe('refreshSession', () => {
  it('when there is no refresh cookie, then it resolves to no user instead of failing', async () => {
    const api = mockFetch();
    api.on('POST', '/api/v1/auth/refresh', problem(401));

    await expect(refreshSession()).resolves.toBeNull();
  });
});
