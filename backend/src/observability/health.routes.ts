import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { HttpError } from '../http/problem.js';
import type { Metrics } from './metrics.js';

export interface HealthOptions {
  version: string;
  /** Resolves true while the data store answers. */
  databaseUp: () => Promise<boolean>;
  cacheStatus: () => 'up' | 'down' | 'disabled';
  isDraining: () => boolean;
  metrics: Metrics;
  metricsToken?: string;
}

const PING_TIMEOUT_MS = 1000;

function withTimeout(check: Promise<boolean>): Promise<boolean> {
  return Promise.race([
    check.catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(resolve, PING_TIMEOUT_MS, false).unref()),
  ]);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** `/health`, `/health/live`, `/health/ready` and `/metrics`. */
export function healthRoutes(options: HealthOptions): Router {
  const router = Router();
  const live: RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok', uptime: Math.round(process.uptime()), version: options.version });
  };
  router.get('/health', live);
  router.get('/health/live', live);

  router.get('/health/ready', async (_req, res) => {
    const database = (await withTimeout(options.databaseUp())) ? 'up' : 'down';
    const cache = options.cacheStatus();
    const draining = options.isDraining();
    const ok = database === 'up' && !draining;
    res.setHeader('Cache-Control', 'no-store');
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : draining ? 'draining' : 'unavailable',
      checks: { database, cache },
    });
  });

  router.get('/metrics', async (req, res) => {
    if (options.metricsToken !== undefined && !tokenMatches(req.get('authorization'), options.metricsToken)) {
      throw HttpError.unauthorized('The metrics endpoint needs "Authorization: Bearer <METRICS_TOKEN>".');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return router;
}
