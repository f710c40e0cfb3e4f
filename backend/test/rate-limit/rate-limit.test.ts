import express, { type Express } from 'express';
import request, { type Response } from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/cache/redis-connection.js';
import { loadConfig } from '../../src/config.js';
import { createRateLimiters } from '../../src/http/rate-limit.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { captureLogger, type LogRecord, waitFor } from '../cache/fixtures.js';
import { type RedisServer, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';

const hasRedis = redisServerAvailable('shared rate limit tests');

interface Instance {
  app: Express;
  metrics: Metrics;
  records: LogRecord[];
  redis: RedisConnection | null;
}

function buildInstance(redisUrl: string | null, env: Record<string, string> = {}): Instance {
  const config = loadConfig({
    NODE_ENV: 'test',
    RATE_LIMIT_MAX: '10',
    AUTH_RATE_LIMIT_MAX: '3',
    ...(redisUrl !== null ? { REDIS_URL: redisUrl } : {}),
    ...env,
  });
  const { logger, records } = captureLogger();
  const metrics = createMetrics(false);
  const redis = config.redis === null ? null : connectRedis(config.redis, logger);
  const limiters = createRateLimiters({ config, redis, metrics, logger });
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.use((req, _res, next) => {
    req.requestId = 'rl-test';
    const user = req.header('x-user');
    if (user !== undefined) req.auth = { userId: user };
    next();
  });
  app.use('/api', limiters.api);
  app.use(express.json());
  app.post('/api/auth/login', limiters.authByIp, limiters.loginByEmail, (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/api/auth/register', limiters.authByIp, (_req, res) => {
    res.status(201).json({ ok: true });
  });
  app.get('/api/ping', (_req, res) => {
    res.json({ pong: true });
  });
  return { app, metrics, records, redis };
}

async function rejections(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.rateLimited.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.limiter), value.value]));
}

function statuses(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1;
  return counts;
}

describe('rate limiters without Redis', () => {
  it('when one instance gets more than the limit, then the excess is rejected with problem+json and Retry-After', async () => {
    const { app, metrics } = buildInstance(null);
    const responses: Response[] = [];
    for (let i = 0; i < 12; i += 1) responses.push(await request(app).get('/api/ping'));
    expect(statuses(responses)).toEqual({ 200: 10, 429: 2 });
    const rejected = responses[11] as Response;
    expect(rejected.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(rejected.body).toMatchObject({
      type: 'https://primo.dev/problems/too-many-requests',
      status: 429,
      requestId: 'rl-test',
    });
    expect(Number(rejected.headers['retry-after'])).toBeGreaterThan(0);
    expect(rejected.headers['ratelimit']).toMatch(/^"api"; r=0; t=\d+/);
    expect(rejected.headers['ratelimit-policy']).toMatch(/^"api"; q=10; w=900/);
    expect(await rejections(metrics)).toEqual({ api: 2 });
  });
});

describe.skipIf(!hasRedis)('rate limiters shared through a real redis-server', () => {
  let server: RedisServer;
  const instances: Instance[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    const [first] = instances;
    if (first?.redis?.status() === 'up') await first.redis.run((client) => client.flushall());
    await Promise.all(instances.splice(0).map((instance) => instance.redis?.close()));
  });

  async function start(count: number, env: Record<string, string> = {}): Promise<Instance[]> {
    const started = Array.from({ length: count }, () => buildInstance(server.url, env));
    instances.push(...started);
    await waitFor(() => started.every((instance) => instance.redis?.status() === 'up'));
    return started;
  }

  it('when 3 instances share a limit of N, then exactly N requests pass in total', async () => {
    const trio = await start(3);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => request((trio[i % 3] as Instance).app).get('/api/ping')),
    );
    expect(statuses(responses)).toEqual({ 200: 10, 429: 20 });
    const counted = await Promise.all(trio.map(async (instance) => (await rejections(instance.metrics)).api ?? 0));
    expect(counted.reduce((sum, value) => sum + value, 0)).toBe(20);
    const rejected = responses.find((response) => response.status === 429) as Response;
    expect(rejected.headers['retry-after']).toMatch(/^\d+$/);
    expect(rejected.headers['content-type']).toMatch(/problem\+json/);
    expect(rejected.headers['ratelimit-policy']).toMatch(/q=10; w=900/);
    expect(rejected.body.status).toBe(429);
  });

  it('when requests carry a user, then each user has their own budget apart from the anonymous IP', async () => {
    const [a, b] = await start(2);
    const pass = async (instance: Instance, user?: string) => {
      const call = request(instance.app).get('/api/ping');
      return (user === undefined ? call : call.set('X-User', user)).then((response) => response.status);
    };
    for (let i = 0; i < 10; i += 1) expect(await pass(i % 2 ? (a as Instance) : (b as Instance), 'alice')).toBe(200);
    expect(await pass(a as Instance, 'alice')).toBe(429);
    expect(await pass(b as Instance, 'bob')).toBe(200);
    expect(await pass(b as Instance)).toBe(200);
  });

  it('when logins and API calls are made, then each limiter counts under its own prefix', async () => {
    const trio = await start(3);
    const logins = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        request((trio[i % 3] as Instance).app)
          .post('/api/auth/login')
          .send({ email: `user${i}@example.com`, password: 'x' }),
      ),
    );
    expect(statuses(logins)).toEqual({ 200: 3, 429: 6 });
    const keys = await (trio[0] as Instance).redis!.run((client) => client.keys('rl:*'));
    const prefixes = new Set(keys.map((key) => key.split(':').slice(0, 2).join(':')));
    expect(prefixes).toEqual(new Set(['rl:api', 'rl:auth-ip', 'rl:login-email']));
    // The 9 login attempts also spent 9 of the 10 general API requests of this IP.
    expect((await request((trio[1] as Instance).app).get('/api/ping')).status).toBe(200);
    expect((await request((trio[2] as Instance).app).get('/api/ping')).status).toBe(429);
  });

  it('when one email is tried from many client IPs behind a trusted proxy, then the email limit still applies', async () => {
    const trio = await start(3, { TRUST_PROXY: '1', AUTH_RATE_LIMIT_MAX: '3' });
    const responses: Response[] = [];
    for (let i = 0; i < 6; i += 1) {
      responses.push(
        await request((trio[i % 3] as Instance).app)
          .post('/api/auth/login')
          .set('X-Forwarded-For', `203.0.113.${i + 1}`)
          .send({ email: i % 2 ? 'Victim@Example.com' : 'victim@example.com', password: 'guess' }),
      );
    }
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429, 429, 429]);
    const other = await request((trio[0] as Instance).app)
      .post('/api/auth/login')
      .set('X-Forwarded-For', '203.0.113.50')
      .send({ email: 'someone.else@example.com', password: 'x' });
    expect(other.status).toBe(200);
    const noEmail = await request((trio[0] as Instance).app)
      .post('/api/auth/login')
      .set('X-Forwarded-For', '203.0.113.51')
      .send({ password: 'x' });
    expect(noEmail.status).toBe(200);
    const noise = trio.flatMap((instance) => instance.records.filter((record) => record.level !== 'info'));
    expect(noise).toEqual([]);
  });

  it('when Redis is down, then the API limit fails open, auth limits count per instance, and sharing resumes after', async () => {
    const trio = await start(3);
    await server.kill();
    await waitFor(() => trio.every((instance) => instance.redis?.status() === 'down'));

    const api = await Promise.all(
      Array.from({ length: 30 }, (_, i) => request((trio[i % 3] as Instance).app).get('/api/ping')),
    );
    expect(statuses(api)).toEqual({ 200: 30 });
    const registrations: Response[] = [];
    for (let i = 0; i < 12; i += 1) {
      registrations.push(
        await request((trio[i % 3] as Instance).app)
          .post('/api/auth/register')
          .send({}),
      );
    }
    // 3 per minute on each of the 3 instances while they cannot share counts.
    expect(statuses(registrations)).toEqual({ 201: 9, 429: 3 });
    for (const instance of trio) {
      expect(instance.records.filter((record) => record.level === 'warn' || record.level === 'error')).toHaveLength(1);
    }

    await server.restart();
    await waitFor(() => trio.every((instance) => instance.redis?.status() === 'up'), 8000);
    const shared = await Promise.all(
      Array.from({ length: 15 }, (_, i) => request((trio[i % 3] as Instance).app).get('/api/ping')),
    );
    expect(statuses(shared)).toEqual({ 200: 10, 429: 5 });
  });
});
