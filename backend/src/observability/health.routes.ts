import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { HttpError } from '../http/problem.js';
import type { StoreReadiness } from '../domain/readiness.js';
import type { Metrics } from './metrics.js';

export interface HealthOptions {
  version: string;
  commit: string | null;
  /** The data store's readiness: up, down, or reachable without its required indexes. */
  databaseStatus: () => Promise<StoreReadiness>;
  cacheStatus: () => 'up' | 'down' | 'disabled';
  isDraining: () => boolean;
  metrics: Metrics;
  metricsToken?: string;
}

const PING_TIMEOUT_MS = 1000;

function withTimeout(check: Promise<StoreReadiness>): Promise<StoreReadiness> {
  return Promise.race([
    check.catch((): StoreReadiness => 'down'),
    new Promise<StoreReadiness>((resolve) => setTimeout(resolve, PING_TIMEOUT_MS, 'down').unref()),
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
  // Probes and scrapes must always reach the instance, never a cache.
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const live: RequestHandler = (_req, res) => {
    res.json({ status: 'ok', uptime: Math.round(process.uptime()), version: options.version, commit: options.commit });
  };
  router.get('/health', noStore, live);
  router.get('/health/live', noStore, live);

  const readiness = async () => {
    const database = await withTimeout(options.databaseStatus());
    const draining = options.isDraining();
    return { database, draining, ok: database === 'up' && !draining };
  };

  router.get('/health/ready', noStore, async (_req, res) => {
    const { database, draining, ok } = await readiness();
    const cache = options.cacheStatus();
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : draining ? 'draining' : 'unavailable',
      checks: { database, cache },
    });
  });

  router.get('/metrics', noStore, async (req, res) => {
    if (options.metricsToken !== undefined && !tokenMatches(req.get('authorization'), options.metricsToken)) {
      throw HttpError.unauthorized('The metrics endpoint needs "Authorization: Bearer <METRICS_TOKEN>".');
    }
    // Readiness as a series, so flapping shows on a graph and in alerts, not only in the balancer's view.
    options.metrics.ready.set((await readiness()).ok ? 1 : 0);
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return router;
}
