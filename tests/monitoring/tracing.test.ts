import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  requireBinary,
  startBackend,
  startRedis,
  tempDir,
  type BackendHandle,
  type RedisHandle,
} from '@primo/test-support';

const redisServer = requireBinary('redis-server', 'the tracing test (Redis spans)');

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number };
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: 'server' | 'client' | 'internal' | 'producer' | 'consumer' | 'other';
  attributes: Record<string, string | number>;
  service: string | undefined;
}

const KINDS: Record<number, Span['kind']> = { 1: 'internal', 2: 'server', 3: 'client', 4: 'producer', 5: 'consumer' };

/** An OTLP/HTTP receiver: collects the JSON the exporter POSTs to /v1/traces. */
async function startReceiver(): Promise<{
  url: string;
  spans: Span[];
  contentTypes: string[];
  close: () => Promise<void>;
}> {
  const spans: Span[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      contentTypes.push(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{
          resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
          scopeSpans: Array<{ spans: OtlpSpan[] }>;
        }>;
      };
      for (const resource of body.resourceSpans) {
        const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: KINDS[span.kind] ?? 'other',
              attributes: Object.fromEntries(
                span.attributes.map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]),
              ),
              service,
            });
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!redisServer)('tracing: one request as a span tree over OTLP/HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let redis: RedisHandle;
  let backend: BackendHandle;
  let worker: BackendHandle;
  const data = tempDir('tracing-data');
  let token: string;
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';

  beforeAll(async () => {
    receiver = await startReceiver();
    redis = await startRedis({ binary: redisServer });
    const env = {
      DATA_DIR: data.dir,
      REDIS_URL: redis.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export every 100 ms instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    backend = await startBackend({ env: { ...env, OTEL_SERVICE_NAME: 'primo-backend-test' } });
    // The worker (its service name is its own by default) takes the jobs the API queues.
    worker = await startBackend({ program: 'worker', env });
    const registered = await fetch(`${backend.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'trace-register' },
      body: JSON.stringify({ email: 'tracer@example.com', password: 'correct horse battery', name: 'Tracer' }),
    });
    token = ((await registered.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await worker?.stop();
    await backend?.stop();
    await redis?.stop();
    await receiver?.close();
    data.remove();
  });

  /** Every span of the request carrying `requestId`, once its server span has been exported. */
  async function spansOf(requestId: string): Promise<{ server: Span; all: Span[] }> {
    await expect
      .poll(() => receiver.spans.some((s) => s.kind === 'server' && s.attributes['primo.request_id'] === requestId), {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(true);
    // Children end before their server span, so they were exported with it or earlier.
    const server = receiver.spans.find(
      (s) => s.kind === 'server' && s.attributes['primo.request_id'] === requestId,
    ) as Span;
    return { server, all: receiver.spans.filter((s) => s.traceId === server.traceId) };
  }

  it('when a traced client lists tasks, then the server span continues its trace and storage and Redis spans hang under it, all carrying the request id', async () => {
    const response = await fetch(`${backend.url}/api/v1/tasks`, {
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Request-Id': 'trace-list',
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      },
    });
    expect(response.status).toBe(200);
    const { server, all } = await spansOf('trace-list');

    expect(server).toMatchObject({
      traceId,
      parentSpanId: callerSpanId,
      name: 'GET /api/v1/tasks',
      service: 'primo-backend-test',
    });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/api/v1/tasks',
      'http.response.status_code': 200,
    });

    const children = all.filter((s) => s !== server);
    const storage = children.filter((s) => s.name.startsWith('storage '));
    const redisSpans = children.filter((s) => s.name.startsWith('redis '));
    expect(storage.map((s) => s.name)).toEqual(expect.arrayContaining(['storage tasks.list']));
    expect(redisSpans.length).toBeGreaterThan(0);
    for (const span of redisSpans) expect(span).toMatchObject({ kind: 'client', attributes: { 'db.system': 'redis' } });
    for (const span of storage)
      expect(span.attributes).toMatchObject({ 'db.system': 'sqlite', 'primo.repository': expect.any(String) });
    for (const span of children) {
      expect(span.parentSpanId, span.name).toBe(server.spanId);
      expect(span.attributes['primo.request_id'], span.name).toBe('trace-list');
    }
  });

  it("when a task is created (a request with a body), then its storage write is a child of that request's server span", async () => {
    const response = await fetch(`${backend.url}/api/v1/tasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': 'trace-create' },
      body: JSON.stringify({ title: 'traced' }),
    });
    expect(response.status).toBe(201);
    const { server, all } = await spansOf('trace-create');
    expect(server.name).toBe('POST /api/v1/tasks');
    expect(server.parentSpanId).toBeUndefined();
    const create = all.find((s) => s.name === 'storage tasks.create');
    expect(create?.parentSpanId).toBe(server.spanId);
    expect(create?.attributes['primo.request_id']).toBe('trace-create');
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
  });

  it("when a request queues an email, then the queue hop continues its trace: a producer span in the request's trace and the worker's consumer span under it", async () => {
    const project = await fetch(`${backend.url}/api/v1/projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Traced' }),
    });
    const { id } = (await project.json()) as { id: string };
    const invited = await fetch(`${backend.url}/api/v1/projects/${id}/invitations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Request-Id': 'trace-invite' },
      body: JSON.stringify({ email: 'guest@example.com', role: 'editor' }),
    });
    expect(invited.status).toBe(201);
    const { server } = await spansOf('trace-invite');
    expect(server.name).toBe('POST /api/v1/projects/:id/invitations');

    const inTrace = () => receiver.spans.filter((s) => s.traceId === server.traceId);
    await expect
      .poll(() => inTrace().some((s) => s.kind === 'consumer'), { timeout: 15_000, interval: 100 })
      .toBe(true);
    const producer = inTrace().find((s) => s.kind === 'producer');
    const consumer = inTrace().find((s) => s.kind === 'consumer');
    expect(producer).toMatchObject({ name: 'add mail.message', service: 'primo-backend-test' });
    expect(producer?.attributes['bullmq.queue.name']).toBe('mail');
    expect(consumer).toMatchObject({ name: 'process mail', service: 'primo-worker', parentSpanId: producer?.spanId });
    expect(consumer?.attributes['bullmq.job.name']).toBe('message');
    // The producer hangs under the request, through however many of the request's own spans.
    const byId = new Map(inTrace().map((s) => [s.spanId, s]));
    let ancestor = producer;
    while (ancestor !== undefined && ancestor !== server) ancestor = byId.get(ancestor.parentSpanId ?? '');
    expect(ancestor).toBe(server);
  });
});
