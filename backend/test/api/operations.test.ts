import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp } from '../helpers/app.js';

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: 'metrics-secret' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when /health and /health/live are called, then 200 with status, uptime and version', async () => {
    for (const path of ['/health', '/health/live']) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.body).toEqual({ status: 'ok', uptime: expect.any(Number), version: '1.0.0-test', commit: null });
    }
  });

  it('when the build names its commit (GIT_COMMIT), then /health reports it, so a deploy can check what runs', async () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const built = await createTestApp({ env: { GIT_COMMIT: sha } });
    try {
      const res = await request(built.app).get('/health').expect(200);
      expect(res.body.commit).toBe(sha);
    } finally {
      await built.close();
    }
  });

  it('when the store answers, then /health/ready is 200 with the checks', async () => {
    const res = await request(t.app).get('/health/ready').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      checks: { database: 'up', cache: expect.stringMatching(/^(up|disabled)$/) },
    });
  });

  it('when the store lacks its required indexes, then /health/ready is 503 naming that, and /health stays 200', async () => {
    const probe = await createTestApp();
    const storage = probe.runtime.storage;
    const unindexed = await createTestApp({
      storage: { ...storage, readiness: async () => 'indexes missing' },
    });
    try {
      const res = await request(unindexed.app).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'unavailable', checks: { database: 'indexes missing' } });
      expect(res.headers['retry-after']).toBe('5');
      await request(unindexed.app).get('/health').expect(200);
    } finally {
      await unindexed.close();
      await probe.close();
    }
  });

  it('when draining, then /health/ready is 503 and responses ask to close the connection', async () => {
    const draining = await createTestApp();
    try {
      draining.runtime.startDraining();
      const res = await request(draining.app).get('/health/ready').expect(503);
      expect(res.body.status).toBe('draining');
      expect(res.headers.connection).toBe('close');
    } finally {
      await draining.close();
    }
  });

  it('when METRICS_TOKEN is set, then /metrics needs it and then shows request histograms by route template and status', async () => {
    const fresh = await createTestApp({ env: { METRICS_TOKEN: 'metrics-secret' } });
    try {
      const user = await registerUser(fresh.app);
      const task = await request(fresh.app)
        .post('/api/v1/tasks')
        .set(user.auth)
        .send({ title: 'measured' })
        .expect(201);
      await request(fresh.app).get(`/api/v1/tasks/${task.body.id}`).set(user.auth).expect(200);
      await request(fresh.app).get('/metrics').expect(401);
      await request(fresh.app).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
      const res = await request(fresh.app).get('/metrics').set('Authorization', 'Bearer metrics-secret').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/api\/v1\/tasks\/:id".*status="200"/);
      expect(res.text).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/tasks",status="201"\} 1/);
      expect(res.text).toMatch(/cache_requests_total/);
      expect(res.text).toMatch(/auth_events_total\{event="register"\} 1/);
      expect(res.text).not.toMatch(/[0-9a-f]{24}/);
    } finally {
      await fresh.close();
    }
  });

  it('when the OpenAPI document is fetched, then it is OpenAPI 3.1 with every path of the contract', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/logout',
        '/api/v1/auth/me',
        '/api/v1/tasks',
        '/api/v1/tasks/stats',
        '/api/v1/tasks/{id}',
      ]),
    );
    const create = res.body.paths['/api/v1/tasks'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(['title']);
    expect(create.additionalProperties).toBe(false);
    const params = res.body.paths['/api/v1/tasks'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(
      expect.arrayContaining(['status', 'priority', 'tag', 'q', 'dueBefore', 'dueAfter', 'sort', 'limit', 'cursor']),
    );
  });

  it('when security headers are checked, then helmet and compression are on', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json').set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-encoding']).toBe('gzip');
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ALLOWED_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when an allowed origin asks, then it is allowed with credentials; another origin is not', async () => {
    const ok = await request(t.app)
      .options('/api/v1/tasks')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const other = await request(t.app)
      .options('/api/v1/tasks')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('request logs', () => {
  it('when LOG_FILE_PATH is set, then every request is a JSON line in that file carrying its request id', async () => {
    const probe = await createTestApp();
    const file = path.join(probe.dataDir, 'primo.log');
    const t = await createTestApp({ env: { LOG_LEVEL: 'info', LOG_FILE_PATH: file } });
    try {
      await request(t.app).get('/api/v1/tasks').set('X-Request-Id', 'log-check-1').expect(401);
      let lines: Record<string, unknown>[] = [];
      for (let attempt = 0; attempt < 50 && lines.length === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const text = await readFile(file, 'utf8').catch(() => '');
        lines = text
          .split('\n')
          .filter((line) => line.includes('log-check-1'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      }
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'info',
          requestId: 'log-check-1',
          method: 'GET',
          url: '/api/v1/tasks',
          status: 401,
        }),
      );
    } finally {
      await t.close();
      await probe.close();
    }
  });
});
