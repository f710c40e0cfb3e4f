import { vi } from 'vitest';

/** A request as the network boundary saw it. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function problem(
  status: number,
  fields: { title?: string; detail?: string; errors?: Array<{ path: string; message: string }> } = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({ type: 'about:blank', title: fields.title ?? 'Error', status, requestId: 'r-1', ...fields }),
    {
      status,
      headers: { 'Content-Type': 'application/problem+json', ...headers },
    },
  );
}

/**
 * Replaces `fetch` for one test: requests are matched by method and path (a string, or a RegExp
 * on the path) against handlers registered with `on`; anything unmatched gets a 404 problem.
 * The latest registration for a route wins, so a test can change an answer midway.
 */
export function mockFetch() {
  const routes: Array<{ method: string; path: string | RegExp; handler: Handler }> = [];
  const requests: RecordedRequest[] = [];

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' ? input : input.toString(), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const raw = typeof init.body === 'string' ? init.body : undefined;
    const request: RecordedRequest = {
      method,
      url,
      headers: new Headers(init.headers),
      body: raw === undefined ? undefined : JSON.parse(raw),
      credentials: init.credentials,
    };
    requests.push(request);
    const route = [...routes]
      .reverse()
      .find(
        (candidate) =>
          candidate.method === method &&
          (typeof candidate.path === 'string' ? candidate.path === url.pathname : candidate.path.test(url.pathname)),
      );
    return route ? route.handler(request) : problem(404, { title: 'Not Found' });
  });
  vi.stubGlobal('fetch', fetchMock);

  return {
    requests,
    on(method: string, path: string | RegExp, handler: Handler | Response) {
      routes.push({ method, path, handler: typeof handler === 'function' ? handler : () => handler.clone() });
    },
    /** Requests made to a method and path, oldest first. */
    to(method: string, path: string | RegExp) {
      return requests.filter(
        (request) =>
          request.method === method &&
          (typeof path === 'string' ? request.url.pathname === path : path.test(request.url.pathname)),
      );
    },
  };
}

export type FetchMock = ReturnType<typeof mockFetch>;
