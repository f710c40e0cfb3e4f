import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/cache/response-cache.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { captureLogger, ItemsDatabase, itemsApp } from './fixtures.js';

function embedded(options: { memoryMaxEntries?: number; ttlSeconds?: number } = {}) {
  const db = new ItemsDatabase();
  const cache = createResponseCache({
    redis: null,
    ttlSeconds: options.ttlSeconds ?? 60,
    maxBodyBytes: 64 * 1024,
    metrics: createMetrics(false),
    logger: captureLogger().logger,
    memoryMaxEntries: options.memoryMaxEntries,
  });
  return { db, cache, app: itemsApp(cache, db) };
}

describe('response cache without Redis (in-process LRU)', () => {
  it('when a read repeats, then it is a HIT, and after a write the next read is fresh', async () => {
    const { db, cache, app } = embedded();
    db.add('solo', 'one');
    expect((await request(app).get('/items').set('X-User', 'solo')).headers['x-cache']).toBe('MISS');
    expect((await request(app).get('/items').set('X-User', 'solo')).headers['x-cache']).toBe('HIT');
    await request(app).post('/items').set('X-User', 'solo').send({ name: 'two' }).expect(201);
    const fresh = await request(app).get('/items').set('X-User', 'solo');
    expect(fresh.headers['x-cache']).toBe('MISS');
    expect(fresh.body.data.map((item: { name: string }) => item.name)).toEqual(['one', 'two']);
    expect(cache.status()).toBe('up');
  });

  it('when two users read the same URL, then neither receives the other one’s body', async () => {
    const { db, app } = embedded();
    db.add('ann', 'ann-item');
    db.add('ben', 'ben-item');
    for (let i = 0; i < 6; i += 1) {
      const user = i % 2 === 0 ? 'ann' : 'ben';
      const response = await request(app).get('/items').set('X-User', user);
      expect(response.body.data[0].name).toBe(`${user}-item`);
    }
  });

  it('when more distinct reads are cached than the LRU holds, then the oldest are evicted', async () => {
    const { db, app } = embedded({ memoryMaxEntries: 2 });
    db.add('lru', 'a');
    for (const query of ['?q=1', '?q=2', '?q=3']) await request(app).get(`/items${query}`).set('X-User', 'lru');
    expect((await request(app).get('/items?q=3').set('X-User', 'lru')).headers['x-cache']).toBe('HIT');
    expect((await request(app).get('/items?q=1').set('X-User', 'lru')).headers['x-cache']).toBe('MISS');
  });

  it('when a burst of identical reads misses, then the database is read once', async () => {
    const { db, app } = embedded();
    db.add('burst', 'b');
    db.loadDelayMs = 50;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => request(app).get('/items').set('X-User', 'burst')),
    );
    expect(responses.every((response) => response.body.data[0].name === 'b')).toBe(true);
    expect(db.loads).toBe(1);
  });
});
