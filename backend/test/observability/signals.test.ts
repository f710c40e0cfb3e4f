import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format into samples (label values never contain `",` in our output). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(t: TestApp): Promise<Sample[]> {
  const res = await request(t.app).get('/metrics').expect(200);
  return parseMetrics(res.text);
}

function seriesKeys(samples: Sample[]): Set<string> {
  return new Set(samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`));
}

describe('operational signals on /metrics', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'warn', SLOW_QUERY_MS: '150' } });
    user = await registerUser(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  /** One round of requests whose paths, ids and query strings are all new, as a crawler or an attacker sends. */
  async function distinctTraffic(round: string, count: number): Promise<string[]> {
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const token = `${round}${i}${randomBytes(6).toString('hex')}`;
      tokens.push(token);
      await request(t.app).get(`/api/v1/tasks/${token}`).set(user.auth);
      await request(t.app).get(`/api/v1/${token}/x`).set(user.auth);
      await request(t.app).get(`/${token}.php`);
      await request(t.app).get(`/api/v1/tasks?tag=${token}&q=${token}`).set(user.auth);
      await request(t.app).get(`/api/v1/projects/${token}/members`).set(user.auth);
      await request(t.app)
        .post('/api/v1/tasks')
        .set(user.auth)
        .send({ title: token, tags: [token] });
      await request(t.app).post(`/api/v1/tasks`).set(user.auth).set('Content-Type', 'application/json').send('{bad');
      await request(t.app).get('/api/v1/tasks').set('Authorization', `Bearer ${token}`).set('X-Request-Id', token);
    }
    return tokens;
  }

  it('when many distinct URLs, ids, tags and tokens arrive, then no label value carries them and the series set stops growing', async () => {
    const firstTokens = await distinctTraffic('a', 15);
    await scrape(t); // the scrape itself is counted once it has answered
    const first = await scrape(t);
    const secondTokens = await distinctTraffic('b', 40);
    const second = await scrape(t);

    const labelValues = second.flatMap((s) => Object.values(s.labels));
    for (const token of [...firstTokens, ...secondTokens, user.id]) {
      expect(labelValues.filter((value) => value.includes(token))).toEqual([]);
    }
    // Forty more rounds of never-seen input add no series at all: every label comes from code.
    const added = [...seriesKeys(second)].filter((key) => !seriesKeys(first).has(key));
    expect(added).toEqual([]);
    const routes = new Set(second.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route));
    expect(routes.size).toBeLessThan(15);
    expect([...routes]).toEqual(expect.arrayContaining(['/api/v1/tasks/:id', 'unmatched', 'static']));
    const storageSeries = second.filter((s) => s.name === 'storage_operation_duration_seconds_count');
    const storeProperties = Object.keys(t.runtime.storage);
    expect(storageSeries.length).toBeGreaterThan(0);
    for (const series of storageSeries) expect(storeProperties).toContain(series.labels.repository);
  });

  it('when tasks are written and read, then storage call durations are recorded by repository and operation', async () => {
    const before = await scrape(t);
    const count = (samples: Sample[], operation: string) =>
      samples.find(
        (s) =>
          s.name === 'storage_operation_duration_seconds_count' &&
          s.labels.repository === 'tasks' &&
          s.labels.operation === operation &&
          s.labels.outcome === 'ok',
      )?.value ?? 0;
    const created = await request(t.app).post('/api/v1/tasks').set(user.auth).send({ title: 'timed' }).expect(201);
    await request(t.app)
      .get(`/api/v1/tasks/${created.body.id as string}`)
      .set(user.auth)
      .expect(200);
    const after = await scrape(t);
    expect(count(after, 'create') - count(before, 'create')).toBe(1);
    expect(count(after, 'findById')).toBeGreaterThan(count(before, 'findById'));
    const buckets = after.filter(
      (s) =>
        s.name === 'storage_operation_duration_seconds_bucket' &&
        s.labels.repository === 'tasks' &&
        s.labels.operation === 'create',
    );
    expect(buckets.find((s) => s.labels.le === '+Inf')?.value).toBeGreaterThanOrEqual(1);
  });

  it('when a write waits on a locked database file past SLOW_QUERY_MS, then it is logged with its request id and counted as slow and as an error', async () => {
    const logFile = path.join(t.dataDir, 'warn.log');
    const slow = await createTestApp({
      env: { LOG_LEVEL: 'warn', SLOW_QUERY_MS: '150', LOG_FILE_PATH: logFile },
    });
    try {
      const author = await registerUser(slow.app);
      const locker = new Database(path.join(slow.dataDir, 'primo.db'), { timeout: 5_000 });
      locker.exec('BEGIN EXCLUSIVE');
      // Held past the store's 2 s busy timeout: the write fails with 503 after waiting, asynchronously.
      setTimeout(() => {
        locker.exec('COMMIT');
        locker.close();
      }, 2_600);
      const res = await request(slow.app)
        .post('/api/v1/tasks')
        .set(author.auth)
        .set('X-Request-Id', 'slow-write-1')
        .send({ title: 'waits' });
      expect(res.status).toBe(503);
      const samples = await scrape(slow);
      expect(
        samples.find(
          (s) =>
            s.name === 'storage_slow_operations_total' &&
            s.labels.repository === 'tasks' &&
            s.labels.operation === 'create',
        )?.value,
      ).toBe(1);
      expect(
        samples.find(
          (s) =>
            s.name === 'storage_operation_duration_seconds_count' &&
            s.labels.repository === 'tasks' &&
            s.labels.operation === 'create' &&
            s.labels.outcome === 'error',
        )?.value,
      ).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const lines = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('slow storage operation'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          repository: 'tasks',
          operation: 'create',
          outcome: 'error',
          requestId: 'slow-write-1',
          thresholdMs: 150,
          durationMs: expect.any(Number),
        }),
      ]);
      expect(lines[0]?.durationMs as number).toBeGreaterThanOrEqual(1_900);
    } finally {
      await slow.close();
    }
  });

  it('when scraped, then readiness, event-loop utilisation, the heap limit and the data folder disk space are there', async () => {
    const first = await scrape(t);
    const value = (samples: Sample[], name: string) => samples.find((s) => s.name === name)?.value;
    expect(value(first, 'health_ready')).toBe(1);
    expect(value(first, 'nodejs_heap_size_limit_bytes')).toBeGreaterThan(64 * 1024 * 1024);
    expect(value(first, 'storage_disk_size_bytes')).toBeGreaterThan(0);
    expect(value(first, 'storage_disk_free_bytes')).toBeGreaterThan(0);
    expect(value(first, 'storage_disk_free_bytes')).toBeLessThanOrEqual(
      value(first, 'storage_disk_size_bytes') as number,
    );
    // Busy the loop for 200 ms: the active-time counter grows by at least that much.
    const busyUntil = Date.now() + 200;
    while (Date.now() < busyUntil) {
      // spin
    }
    const second = await scrape(t);
    const active = (samples: Sample[]) => value(samples, 'nodejs_eventloop_active_seconds_total') as number;
    expect(active(second) - active(first)).toBeGreaterThanOrEqual(0.19);
    // No Redis configured: no Redis series pretend to know its state.
    expect(second.some((s) => s.name.startsWith('cache_redis_'))).toBe(false);

    // The runtime has no way back from draining, so this is the suite's last step.
    t.runtime.startDraining();
    expect(value(await scrape(t), 'health_ready')).toBe(0);
  });
});
