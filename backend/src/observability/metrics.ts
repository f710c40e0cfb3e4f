import client from 'prom-client';
import { BucketHistogram } from './bucket-histogram.js';

/** Every Prometheus metric of one app instance, on its own registry. */
export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  httpRequests: client.Counter<'method' | 'route' | 'status'>;
  cacheEvents: client.Counter<'result'>;
  rateLimited: client.Counter<'limiter'>;
  authEvents: client.Counter<'event'>;
  /** Repository calls by port (`tasks`, `users`, …), method name and outcome; names come from code, never from input. */
  storageDuration: BucketHistogram<'repository' | 'operation' | 'outcome'>;
  /** Repository calls slower than SLOW_QUERY_MS (each one is also logged). */
  storageSlow: client.Counter<'repository' | 'operation'>;
  /** 1 when `/health/ready` would answer 200, set at every scrape. */
  ready: client.Gauge;
}

/** Creates the registry; `collectProcess` adds the default process metrics (off in tests that build many apps). */
export function createMetrics(collectProcess = true): Metrics {
  const registry = new client.Registry();
  if (collectProcess) client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpRequests: new client.Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    cacheEvents: new client.Counter({
      name: 'cache_requests_total',
      help: 'Response cache lookups by result (hit, miss, bypass)',
      labelNames: ['result'],
      registers: [registry],
    }),
    rateLimited: new client.Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests rejected with 429 by limiter',
      labelNames: ['limiter'],
      registers: [registry],
    }),
    authEvents: new client.Counter({
      name: 'auth_events_total',
      help: 'Authentication events (login_ok, login_failed, register, refresh, refresh_reuse, logout)',
      labelNames: ['event'],
      registers: [registry],
    }),
    // Observed several times per request: a histogram whose children only count (see bucket-histogram.ts).
    storageDuration: new BucketHistogram(
      'storage_operation_duration_seconds',
      'Repository call duration by repository, operation (method name) and outcome (ok, error)',
      ['repository', 'operation', 'outcome'],
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registry,
    ),
    storageSlow: new client.Counter({
      name: 'storage_slow_operations_total',
      help: 'Repository calls that took longer than SLOW_QUERY_MS, by repository and operation',
      labelNames: ['repository', 'operation'],
      registers: [registry],
    }),
    ready: new client.Gauge({
      name: 'health_ready',
      help: '1 when the instance is ready for traffic (/health/ready answers 200), 0 otherwise; set at every scrape',
      registers: [registry],
    }),
  };
}
