import type { Request, RequestHandler } from 'express';
import morgan from 'morgan';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

type RoutedRequest = Request & { route?: { path?: unknown }; routeBase?: string };

/**
 * Remembers where a feature router is mounted. Express restores `req.baseUrl` when an error leaves a
 * router, so without this a 404 from `/api/v1/tasks/:id` would be labelled `/:id`.
 */
export const markRouteBase: RequestHandler = (req, _res, next) => {
  (req as RoutedRequest).routeBase = req.baseUrl;
  next();
};

/**
 * The route template (`/api/v1/tasks/:id`), never the raw path, so label cardinality stays bounded;
 * `unmatched` for an API request that reached no route (unknown path, or refused before routing), else `static`.
 */
export function routeLabel(req: Request): string {
  const { route, routeBase } = req as RoutedRequest;
  if (route && typeof route.path === 'string') {
    return `${routeBase ?? req.baseUrl}${route.path === '/' ? '' : route.path}` || '/';
  }
  return req.originalUrl.startsWith('/api/') || req.originalUrl === '/api' ? 'unmatched' : 'static';
}

/** Records every response in the duration histogram and the request counter. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      metrics.httpRequests.inc(labels);
    });
    next();
  };
}

/** One access-log line per request through morgan into the logger, carrying the request id. */
export function requestLogging(logger: Logger): RequestHandler {
  return morgan(
    (tokens, req, res) =>
      JSON.stringify({
        method: tokens.method?.(req, res),
        url: tokens.url?.(req, res),
        status: Number(tokens.status?.(req, res) ?? 0),
        durationMs: Number(tokens['response-time']?.(req, res) ?? 0),
        bytes: Number(tokens.res?.(req, res, 'content-length') ?? 0),
        requestId: (req as Request).requestId,
        remoteAddr: (req as Request).ip,
      }),
    {
      // Formatting a line nobody will see costs a JSON round trip per request: skip it when `info` is filtered out.
      skip: () => !logger.isLevelEnabled('info'),
      stream: {
        write: (line: string) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logger.info(`${String(entry.method)} ${String(entry.url)} ${String(entry.status)}`, entry);
        },
      },
    },
  );
}
