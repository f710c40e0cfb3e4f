import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/cache/redis-connection.js';
import { createResponseCache, type ResponseCache } from '../../src/cache/response-cache.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { type RedisServer, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import { captureLogger, ItemsDatabase, itemsApp, waitFor } from './fixtures.js';

const hasRedis = redisServerAvailable('response cache (Redis) tests');

interface Instance {
  app: ReturnType<typeof itemsApp>;
  cache: ResponseCache;
  redis: RedisConnection;
  metrics: Metrics;
}

async function cacheEvents(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.cacheEvents.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.result), value.value]));
}

describe.skipIf(!hasRedis)('response cache shared through a real redis-server', () => {
  let server: RedisServer;
  let db: ItemsDatabase;
  const instances: Instance[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const instance of instances.splice(0)) {
      await instance.cache.close();
      await instance.redis.close();
    }
  });

  async function startInstance(options: { ttlSeconds?: number; maxBodyBytes?: number } = {}): Promise<Instance> {
    const { logger } = captureLogger();
    const redis = connectRedis({ url: server.url, port: server.port, clusterNodes: [] }, logger);
    const metrics = createMetrics(false);
    const cache = createResponseCache({
      redis,
      ttlSeconds: options.ttlSeconds ?? 60,
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
      metrics,
      logger,
    });
    await waitFor(() => redis.status() === 'up');
    const instance = { app: itemsApp(cache, db), cache, redis, metrics };
    instances.push(instance);
    return instance;
  }

  beforeEach(async () => {
    db = new ItemsDatabase();
  });

  it('when a user repeats a read, then the first is a MISS, the second a HIT with the same body, and both are counted', async () => {
    const a = await startInstance();
    db.add('u-repeat', 'first');
    const miss = await request(a.app).get('/items').set('X-User', 'u-repeat');
    const hit = await request(a.app).get('/items').set('X-User', 'u-repeat');
    expect(miss.status).toBe(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body).toEqual(miss.body);
    expect(hit.headers['content-type']).toMatch(/^application\/json/);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(hit.headers.etag).toMatch(/^W\/"/);
    expect(db.loads).toBe(1);
    expect(await cacheEvents(a.metrics)).toEqual({ miss: 1, hit: 1 });
  });

  it('when a user writes on one instance, then the very next read on another instance shows the write', async () => {
    const [a, b, c] = [await startInstance(), await startInstance(), await startInstance()];
    for (const instance of [a, b, c]) await request(instance.app).get('/items').set('X-User', 'u-write');
    for (let round = 0; round < 5; round += 1) {
      const writer = [a, b, c][round % 3] as Instance;
      const reader = [a, b, c][(round + 1) % 3] as Instance;
      await request(writer.app)
        .post('/items')
        .set('X-User', 'u-write')
        .send({ name: `n${round}` })
        .expect(201);
      const read = await request(reader.app).get('/items').set('X-User', 'u-write');
      expect(read.body.data.map((item: { name: string }) => item.name)).toEqual(
        Array.from({ length: round + 1 }, (_, i) => `n${i}`),
      );
      expect(read.headers['x-cache']).toBe('MISS');
      const again = await request(writer.app).get('/items').set('X-User', 'u-write');
      expect(again.headers['x-cache']).toBe('HIT');
      expect(again.body).toEqual(read.body);
    }
  });

  it('when two users alternate identical reads across instances, then each only ever sees their own data', async () => {
    const [a, b] = [await startInstance(), await startInstance()];
    db.add('alice', 'alice-item');
    db.add('bob', 'bob-item');
    const results: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const user = i % 2 === 0 ? 'alice' : 'bob';
      const response = await request((i % 4 < 2 ? a : b).app)
        .get('/items')
        .set('X-User', user);
      expect(response.body.owner).toBe(user);
      expect(response.body.data.map((item: { name: string }) => item.name)).toEqual([`${user}-item`]);
      results.push(response.headers['x-cache'] as string);
    }
    expect(results.slice(0, 2)).toEqual(['MISS', 'MISS']);
    expect(results.slice(2).every((result) => result === 'HIT')).toBe(true);
  });

  it('when a burst of identical reads misses, then the database is read once per instance', async () => {
    const [a, b] = [await startInstance(), await startInstance()];
    db.add('u-burst', 'x');
    db.loadDelayMs = 100;
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request((i % 2 === 0 ? a : b).app)
          .get('/items?sort=name')
          .set('X-User', 'u-burst'),
      ),
    );
    expect(burst.every((response) => response.status === 200 && response.body.data[0].name === 'x')).toBe(true);
    expect(db.loads).toBeLessThanOrEqual(2);
    expect(db.loads).toBeGreaterThanOrEqual(1);
  });

  it('when a body is above the size cap, then it is sent but never stored', async () => {
    const a = await startInstance({ maxBodyBytes: 1024 });
    db.add('u-big', 'y'.repeat(2000));
    const first = await request(a.app).get('/items').set('X-User', 'u-big');
    const second = await request(a.app).get('/items').set('X-User', 'u-big');
    expect(first.body.data[0].name).toHaveLength(2000);
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['MISS', 'MISS']);
    expect(db.loads).toBe(2);
  });

  it('when If-None-Match carries the current ETag, then the answer is 304; after a write it is 200 with a new strong ETag', async () => {
    const a = await startInstance();
    const item = db.add('u-etag', 'before');
    const first = await request(a.app).get(`/items/${item.id}`).set('X-User', 'u-etag');
    expect(first.headers.etag).toBe(`"${item.id}-1"`);
    const notModified = await request(a.app)
      .get(`/items/${item.id}`)
      .set('X-User', 'u-etag')
      .set('If-None-Match', first.headers.etag as string);
    expect(notModified.status).toBe(304);
    expect(notModified.headers['x-cache']).toBe('HIT');
    await request(a.app).patch(`/items/${item.id}`).set('X-User', 'u-etag').send({ name: 'after' }).expect(200);
    const changed = await request(a.app)
      .get(`/items/${item.id}`)
      .set('X-User', 'u-etag')
      .set('If-None-Match', first.headers.etag as string);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe(`"${item.id}-2"`);
    expect(changed.body.name).toBe('after');
  });

  it('when load() fails, then the error reaches the error handler and nothing is cached', async () => {
    const a = await startInstance();
    const missing = await request(a.app).get('/items/999').set('X-User', 'u-404');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    const item = db.add('u-404', 'now here');
    expect(item.id).not.toBe('999');
    const again = await request(a.app).get('/items/999').set('X-User', 'u-404');
    expect(again.status).toBe(404);
    expect(db.loads).toBe(2);
  });

  it('when CACHE_TTL is 0, then every read is a BYPASS and the cache reports disabled', async () => {
    const a = await startInstance({ ttlSeconds: 0 });
    const responses = [
      await request(a.app).get('/items').set('X-User', 'u-off'),
      await request(a.app).get('/items').set('X-User', 'u-off'),
    ];
    expect(responses.map((response) => response.headers['x-cache'])).toEqual(['BYPASS', 'BYPASS']);
    expect(a.cache.status()).toBe('disabled');
    expect(db.loads).toBe(2);
  });

  it('when entries are stored, then every key of a user carries the user as cluster hash tag and a TTL', async () => {
    const a = await startInstance({ ttlSeconds: 45 });
    await request(a.app).get('/items').set('X-User', 'u-keys');
    await request(a.app).post('/items').set('X-User', 'u-keys').send({ name: 'k' });
    const keys = await a.redis.run((client) => client.keys('cache:{u-keys}*'));
    expect(keys).toContain('cache:{u-keys}:gen');
    const entry = keys.find((key) => key !== 'cache:{u-keys}:gen') as string;
    expect(entry).toMatch(/^cache:\{u-keys\}:\d+\.\d+:[0-9a-f]{40}$/);
    const ttl = await a.redis.run((client) => client.ttl(entry));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(45);
  });

  it('when Redis is killed, then reads BYPASS to the database, writes succeed, and after it returns HITs resume', async () => {
    const [a, b] = [await startInstance(), await startInstance()];
    db.add('u-down', 'before');
    await request(a.app).get('/items').set('X-User', 'u-down');
    await server.kill();
    await waitFor(() => a.cache.status() === 'down' && b.cache.status() === 'down');
    const write = await request(a.app).post('/items').set('X-User', 'u-down').send({ name: 'during' });
    expect(write.status).toBe(201);
    const read = await request(b.app).get('/items').set('X-User', 'u-down');
    expect(read.status).toBe(200);
    expect(read.headers['x-cache']).toBe('BYPASS');
    expect(read.body.data).toHaveLength(2);
    expect((await cacheEvents(b.metrics)).bypass).toBe(1);

    await server.restart();
    await waitFor(() => a.cache.status() === 'up' && b.cache.status() === 'up', 8000);
    const afterRestart = await request(b.app).get('/items').set('X-User', 'u-down');
    const hit = await request(a.app).get('/items').set('X-User', 'u-down');
    expect(afterRestart.headers['x-cache']).toBe('MISS');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body.data).toHaveLength(2);
  });

  it('when Redis comes back with its pre-outage data, then no entry from before a write made during the outage is served', async () => {
    const [a, b] = [await startInstance(), await startInstance()];
    db.add('u-persist', 'old');
    await request(a.app).get('/items').set('X-User', 'u-persist').expect(200);
    expect((await request(b.app).get('/items').set('X-User', 'u-persist')).headers['x-cache']).toBe('HIT');
    // Persist the stale entry and the old generation, so the restarted server still holds them.
    await a.redis.run((client) => client.save());
    await server.kill();
    await waitFor(() => a.cache.status() === 'down' && b.cache.status() === 'down');
    await request(a.app).post('/items').set('X-User', 'u-persist').send({ name: 'new' }).expect(201);

    await server.restart();
    await waitFor(() => a.redis.status() === 'up' && b.redis.status() === 'up', 8000);
    const staleKeys = await a.redis.run((client) => client.keys('cache:{u-persist}:*'));
    expect(staleKeys.length).toBeGreaterThan(0);
    for (const reader of [b, a, b]) {
      const read = await request(reader.app).get('/items').set('X-User', 'u-persist');
      expect(read.body.data.map((item: { name: string }) => item.name)).toEqual(['old', 'new']);
    }
  });
});
