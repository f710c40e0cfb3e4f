import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, jsonOf, type Reply } from '../../bench/lib/http-client.js';
import { startBackend, type BackendHandle } from '@primo/test-support';

const RUNS = 10_000;
const HEX = '0123456789abcdef';
const PRINTABLE = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));

interface Fixture {
  token: string;
  refreshToken: string;
  taskIds: string[];
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const printable = (max: number) => fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength: max });
const hex24 = fc.string({ unit: fc.constantFrom(...HEX), minLength: 24, maxLength: 24 });

/** Anything a confused or hostile client might put where a value belongs. */
const weirdValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', 'null', 'true', '[]', '{}', '-', ',', ',,', '%', '%zz', '%E0%A4%A', '\u0000', '-createdAt,title'),
  fc.constantFrom('todo', 'done,todo', 'urgent', 'low,high', '2030-01-01T00:00:00Z', 'not-a-date', '0', '101', '1e3'),
  printable(3000),
);

function encodeQuery(pairs: [string, string][], raw: boolean): string {
  if (pairs.length === 0) return '';
  const encode = (text: string) =>
    raw ? text.replace(/[^\x21-\x7e]/gu, encodeURIComponent).replace(/[#]/g, '%23') : encodeURIComponent(text);
  return `?${pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&')}`;
}

const queryArb = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('status', 'priority', 'tag', 'q', 'dueBefore', 'dueAfter', 'sort', 'limit', 'cursor'),
          fc.constantFrom('__proto__', 'constructor', 'status[]', 'limit[$gt]', 'a.b', ''),
          fc.string({ maxLength: 12 }),
        ),
        weirdValue,
      ),
      { maxLength: 5 },
    ),
    fc.boolean(),
  )
  .map(([pairs, raw]) => encodeQuery(pairs, raw));

/** A task-shaped body whose fields hold values of every type, plus keys that must never be stored. */
const taskishBody = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'title',
      'description',
      'status',
      'priority',
      'dueDate',
      'tags',
      'completedAt',
      'version',
      'id',
      'userId',
    ),
    fc.constantFrom('__proto__', 'constructor', '$ne', '$where', 'email', 'password', 'name', 'refreshToken'),
  ),
  fc.oneof(fc.jsonValue({ maxDepth: 3 }), weirdValue, fc.constant({ $ne: null }), fc.constant(['a', 'A'])),
  { maxKeys: 6 },
);

const bodyArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: taskishBody.map((body) => JSON.stringify(body)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"title":',
      '{"title":"a"}}',
      '{"__proto__":{"admin":true},"title":"x"}',
      '['.repeat(5000),
      `{"title":"${'x'.repeat(120_000)}"}`,
      '{"title":"\\ud800"}',
      '\u0000',
      'null',
    ),
  },
);

function requestArb(fixture: Fixture): fc.Arbitrary<FuzzRequest> {
  const id = fc.oneof(
    fc.constantFrom(...fixture.taskIds),
    hex24,
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.constantFrom('%zz', '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd', 'stats', '000000000000000000000000', '%00'),
  );
  const route = fc.oneof(
    fc.constantFrom(
      ['POST', '/api/v1/auth/register'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/refresh'],
      ['POST', '/api/v1/auth/logout'],
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/tasks'],
      ['POST', '/api/v1/tasks'],
      ['GET', '/api/v1/tasks/stats'],
      ['GET', '/health/ready'],
      ['GET', '/api/v1/openapi.json'],
    ),
    fc.tuple(
      fc.constantFrom('GET', 'PATCH', 'DELETE'),
      id.map((value) => `/api/v1/tasks/${value}`),
    ),
    fc.tuple(
      fc.constant('GET'),
      fc.webPath().map((p) => `/api/${p.replace(/^\//, '')}`),
    ),
  );
  const method = fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
  );
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${fixture.token}`) },
    fc.constant(undefined),
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      `Bearer ${fixture.token}x`,
      `Bearer ${fixture.token.split('.').slice(0, 2).join('.')}.`,
    ),
    printable(80).map((text) => `Bearer ${text}`),
  );
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    fc.constant(undefined),
    fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/merge-patch+json',
      'application/*',
      '*/*',
    ),
    printable(40),
  );
  const optional = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined });
  return fc
    .record({
      route,
      method,
      query: queryArb,
      body: bodyArb,
      authorization,
      contentType,
      ifMatch: optional(
        fc.oneof(
          printable(40),
          fc.constant('*'),
          hex24.map((h) => `"${h}-1"`),
        ),
      ),
      ifNoneMatch: optional(fc.oneof(printable(40), fc.constant('*'))),
      requestId: optional(printable(200)),
      accept: optional(fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml', 'image/png')),
      contentEncoding: optional(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-bogus')),
      refreshCookie: optional(fc.oneof(fc.constant(fixture.refreshToken), printable(60))),
    })
    .map((r) => {
      const headers: Record<string, string> = {};
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      if (r.contentType !== undefined && r.body !== undefined) headers['content-type'] = r.contentType;
      if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
      if (r.ifNoneMatch !== undefined) headers['if-none-match'] = r.ifNoneMatch;
      if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
      if (r.accept !== undefined) headers.accept = r.accept;
      if (r.contentEncoding !== undefined && r.body !== undefined) headers['content-encoding'] = r.contentEncoding;
      if (r.refreshCookie !== undefined) headers.cookie = `primo_refresh=${r.refreshCookie}`;
      return {
        method: r.method ?? r.route[0],
        path: `${r.route[1]}${r.query}`,
        headers,
        ...(r.body !== undefined ? { body: r.body } : {}),
      };
    });
}

/** Why a reply breaks the contract for malformed input, or null when it keeps it. */
function violation(request: FuzzRequest, reply: Reply): string | null {
  if (reply.status === 0) return `no answer (${reply.error ?? 'unknown'})`;
  if (reply.status >= 500) return `server error ${reply.status}: ${reply.body.slice(0, 300)}`;
  if (reply.status < 400 || request.method === 'HEAD') return null;
  const type = String(reply.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `${reply.status} with Content-Type "${type}"`;
  const problem = jsonOf<Record<string, unknown>>(reply);
  if (problem === undefined) return `${reply.status} whose body is not JSON: ${reply.body.slice(0, 200)}`;
  if (problem.status !== reply.status || typeof problem.title !== 'string' || typeof problem.type !== 'string') {
    return `${reply.status} with a malformed problem body: ${reply.body.slice(0, 200)}`;
  }
  if (typeof problem.requestId !== 'string') return `${reply.status} without requestId: ${reply.body.slice(0, 200)}`;
  if (/\bat .+\.(?:js|ts):\d+/.test(reply.body)) return `${reply.status} leaks a stack trace`;
  return null;
}

describe('drill: 10,000 malformed requests against every endpoint', () => {
  let backend: BackendHandle;
  let client: HttpClient;
  let fixture: Fixture;

  beforeAll(async () => {
    backend = await startBackend({
      env: { NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_MAX: '10000000', AUTH_RATE_LIMIT_MAX: '10000000' },
    });
    client = new HttpClient(backend.url, undefined, 10_000);
    const registered = await client.request('POST', '/api/v1/auth/register', {
      body: { email: `fuzz-${Date.now()}@drill.test`, password: 'fuzz-password-123', name: 'Fuzz' },
    });
    expect(registered.status).toBe(201);
    const session = JSON.parse(registered.body) as { accessToken: string; refreshToken: string };
    const taskIds: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const created = await client.request('POST', '/api/v1/tasks', {
        body: { title: `fuzz target ${i}`, tags: ['fuzz'] },
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      taskIds.push((JSON.parse(created.body) as { id: string }).id);
    }
    fixture = { token: session.accessToken, refreshToken: session.refreshToken, taskIds };
  });

  afterAll(async () => {
    client?.close();
    await backend?.stop();
  });

  it('when requests carry random bodies, types, query strings and headers, then none is a 5xx and every error is problem+json', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(fixture), async (request) => {
        const reply = await client.request(request.method, request.path, {
          headers: request.headers,
          body: request.body,
        });
        seen.set(reply.status, (seen.get(reply.status) ?? 0) + 1);
        const problem = violation(request, reply);
        if (problem !== null) throw new Error(`${request.method} ${request.path.slice(0, 300)} → ${problem}`);
      }),
      {
        numRuns: RUNS,
        // Requests that once broke the contract run first on every run, whatever the seed.
        examples: [
          [{ method: 'GET', path: '/api/v1/tasks/%zz', headers: { authorization: `Bearer ${fixture.token}` } }],
          [
            {
              method: 'POST',
              path: '/api/v1/tasks',
              headers: {
                authorization: `Bearer ${fixture.token}`,
                'content-type': 'application/json',
                'content-encoding': 'gzip',
              },
              body: '{"title":"not gzip"}',
            },
          ],
        ],
      },
    );
    // The run must have reached past validation too, not only bounced off the door.
    expect(seen.get(200) ?? 0).toBeGreaterThan(100);
    expect(seen.get(400) ?? 0).toBeGreaterThan(100);
  }, 240_000);

  it('when the storm is over, then the server is healthy and still serves valid requests', async () => {
    const ready = await client.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    const auth = { authorization: `Bearer ${fixture.token}` };
    const created = await client.request('POST', '/api/v1/tasks', {
      body: { title: 'after the storm' },
      headers: auth,
    });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    const read = await client.request('GET', `/api/v1/tasks/${id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ id, title: 'after the storm', version: 1 });
  });
});
