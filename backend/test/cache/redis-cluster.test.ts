import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/cache/redis-connection.js';
import { createResponseCache, type ResponseCache } from '../../src/cache/response-cache.js';
import { loadConfig } from '../../src/config.js';
import { createRateLimiters } from '../../src/http/rate-limit.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { type RedisServer, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import { captureLogger, ItemsDatabase, itemsApp, waitFor } from './fixtures.js';

const hasRedis = redisServerAvailable('Redis Cluster tests');
const SLOT_RANGES: Array<[number, number]> = [
  [0, 5460],
  [5461, 10922],
  [10923, 16383],
];

/** Three empty cluster-enabled servers, each owning a third of the slots, joined into one cluster. */
async function startCluster(): Promise<RedisServer[]> {
  const nodes = await Promise.all(
    SLOT_RANGES.map(() =>
      startRedisServer({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] }),
    ),
  );
  const admins = nodes.map((node) => new Redis(node.port, '127.0.0.1', { lazyConnect: true }));
  try {
    await Promise.all(
      admins.map(async (admin, i) => {
        const [from, to] = SLOT_RANGES[i] as [number, number];
        await admin.connect();
        await admin.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to));
      }),
    );
    for (const node of nodes.slice(1)) await admins[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port));
    const deadline = Date.now() + 10_000;
    for (const admin of admins) {
      while (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('the test cluster did not reach cluster_state:ok');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    admins.forEach((admin) => admin.disconnect());
  }
  return nodes;
}

describe.skipIf(!hasRedis)('Redis Cluster mode (REDIS_CLUSTER_NODES, three masters)', () => {
  let nodes: RedisServer[] = [];
  let redis: RedisConnection;
  let cache: ResponseCache;
  let db: ItemsDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    nodes = await startCluster();
    env = {
      NODE_ENV: 'test',
      REDIS_CLUSTER_MODE: 'true',
      REDIS_CLUSTER_NODES: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
      RATE_LIMIT_MAX: '5',
    };
    const config = loadConfig(env);
    const { logger } = captureLogger();
    redis = connectRedis(config.redis!, logger);
    cache = createResponseCache({ redis, ttlSeconds: 60, maxBodyBytes: 65536, metrics: createMetrics(false), logger });
    db = new ItemsDatabase();
    await waitFor(() => redis.status() === 'up', 10_000);
  }, 30_000);
  afterAll(async () => {
    await cache?.close();
    await redis?.close();
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it('when users read and write through the cluster, then HIT, invalidation and isolation work as on one server', async () => {
    const app = itemsApp(cache, db);
    const users = ['cluster-a', 'cluster-b', 'cluster-c', 'cluster-d'];
    for (const user of users) db.add(user, `${user}-1`);
    for (const user of users) {
      expect((await request(app).get('/items').set('X-User', user)).headers['x-cache']).toBe('MISS');
      const hit = await request(app).get('/items').set('X-User', user);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.body.data.map((item: { name: string }) => item.name)).toEqual([`${user}-1`]);
      await request(app)
        .post('/items')
        .set('X-User', user)
        .send({ name: `${user}-2` })
        .expect(201);
      const fresh = await request(app).get('/items').set('X-User', user);
      expect(fresh.headers['x-cache']).toBe('MISS');
      expect(fresh.body.data).toHaveLength(2);
    }
  });

  it('when a user has several cached reads, then all their keys hash to one slot', async () => {
    const app = itemsApp(cache, db);
    for (const query of ['', '?a=1', '?b=2']) await request(app).get(`/items${query}`).set('X-User', 'slotted');
    const keys = (
      await Promise.all(
        nodes.map(async (node) => {
          const client = new Redis(node.port, '127.0.0.1');
          try {
            return await client.keys('cache:{slotted}*');
          } finally {
            client.disconnect();
          }
        }),
      )
    ).filter((found) => found.length > 0);
    expect(keys).toHaveLength(1);
    expect(keys[0]!.length).toBeGreaterThanOrEqual(3);
  });

  it('when the API limit is enforced on a cluster, then counting works with the scripts on every master', async () => {
    const config = loadConfig(env);
    const { logger } = captureLogger();
    const limiters = createRateLimiters({ config, redis, metrics: createMetrics(false), logger });
    const app = express();
    app.use((req, _res, next) => {
      req.requestId = 'cluster';
      req.auth = { userId: String(req.header('x-user')) };
      next();
    });
    app.use(limiters.api);
    app.get('/ping', (_req, res) => {
      res.json({ ok: true });
    });
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      const codes: number[] = [];
      for (let i = 0; i < 6; i += 1) codes.push((await request(app).get('/ping').set('X-User', user)).status);
      expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    }
  });
});
