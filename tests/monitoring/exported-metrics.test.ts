import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  requireBinary,
  startBackend,
  startRedis,
  tempDir,
  type BackendHandle,
  type RedisHandle,
} from '@primo/test-support';
import { dashboardExpressions, loadDashboards, loadRules, metricNames } from './promql.js';

const redisServer = requireBinary('redis-server', 'the exported-metrics check (a backend with Redis)');
const TOKEN = 'monitoring-test-metrics-token';

/** Series Prometheus itself adds to every target. */
const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The names a scrape of /metrics exposes, histogram and summary series included. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

async function scrape(backend: BackendHandle): Promise<string> {
  const response = await fetch(`${backend.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

function sampleValue(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

describe.skipIf(!redisServer)('metrics the rules and dashboards use, against a running backend and worker', () => {
  let redis: RedisHandle;
  let backend: BackendHandle;
  let worker: BackendHandle;
  const data = tempDir('exported-metrics');
  let exported: Set<string>;

  beforeAll(async () => {
    redis = await startRedis({ binary: redisServer });
    // NODE_ENV=production: the process metrics Prometheus sees in a deployment.
    const env = { NODE_ENV: 'production', REDIS_URL: redis.url, METRICS_TOKEN: TOKEN, DATA_DIR: data.dir };
    backend = await startBackend({ env });
    worker = await startBackend({ program: 'worker', env });
    exported = new Set([...exportedNames(await scrape(backend)), ...exportedNames(await scrape(worker))]);
  });

  afterAll(async () => {
    await worker?.stop();
    await backend?.stop();
    await redis?.stop();
    data.remove();
  });

  it('when every alert, recording rule and dashboard query is read, then each metric it names is exported or recorded', () => {
    const rules = loadRules();
    const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
    const used = [
      ...rules.map((rule) => ({ where: rule.alert ?? rule.record ?? '?', expr: rule.expr })),
      ...loadDashboards().flatMap(({ file, dashboard }) =>
        dashboardExpressions(dashboard).map((expr) => ({ where: file, expr })),
      ),
    ];
    const missing = used.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name) && !recorded.has(name) && !SCRAPE_SERIES.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    // The check has teeth: a name the backend does not export is reported.
    expect(exported.has('http_requests_total')).toBe(true);
    expect(exported.has('queue_jobs_waiting')).toBe(false);
    expect(exported.has('primo_queue_oldest_waiting_seconds')).toBe(true);
  });

  it('when Redis dies, then cache_redis_up turns 0 and an outage is counted; when it returns, 1 again', async () => {
    expect(sampleValue(await scrape(backend), 'cache_redis_up')).toBe(1);
    await redis.kill();
    await expect
      .poll(async () => sampleValue(await scrape(backend), 'cache_redis_up'), { timeout: 10_000, interval: 100 })
      .toBe(0);
    expect(sampleValue(await scrape(backend), 'cache_redis_outages_total')).toBe(1);
    await redis.restart();
    await expect
      .poll(async () => sampleValue(await scrape(backend), 'cache_redis_up'), { timeout: 15_000, interval: 200 })
      .toBe(1);
  });
});
