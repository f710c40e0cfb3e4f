import compression from 'compression';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express } from 'express';
import { identify } from './auth/auth.middleware.js';
import { AUTH_BASE_PATH, authRoutes } from './auth/auth.routes.js';
import type { AuthService } from './auth/auth.service.js';
import type { AccessTokens } from './auth/tokens.js';
import type { ResponseCache } from './cache/response-cache.js';
import type { Config } from './config.js';
import type { Clock } from './domain/clock.js';
import { cachedJson } from './http/cached-json.js';
import { errorHandler, limitQueryLength, notFoundHandler, requireJsonBody } from './http/error-handler.js';
import { buildOpenApiDocument } from './http/openapi.js';
import type { RateLimiters } from './http/rate-limit.js';
import { requestId } from './http/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import { staticSpa } from './http/static-spa.js';
import { healthRoutes } from './observability/health.routes.js';
import { httpMetrics, markRouteBase, requestLogging } from './observability/http-observability.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { Tracing } from './observability/tracing.js';
import type { Storage } from './storage/storage.js';
import { idempotency } from './idempotency/idempotency.middleware.js';
import { TASKS_BASE_PATH, tasksRoutes } from './tasks/tasks.routes.js';
import type { TasksService } from './tasks/tasks.service.js';
import {
  INVITATIONS_BASE_PATH,
  PROJECTS_BASE_PATH,
  invitationsRoutes,
  projectsRoutes,
} from './projects/projects.routes.js';
import type { ProjectsService } from './projects/projects.service.js';
import { changesRoutes } from './changes/changes.routes.js';
import { NOTIFICATIONS_BASE_PATH, notificationsRoutes } from './notifications/notifications.routes.js';
import type { ChangesService } from './changes/changes.service.js';

export const QUERY_STRING_MAX_BYTES = 2048;

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  storage: Storage;
  cache: ResponseCache;
  limiters: RateLimiters;
  accessTokens: AccessTokens;
  authService: AuthService;
  tasksService: TasksService;
  projectsService: ProjectsService;
  changesService: ChangesService;
  clock: Clock;
  isDraining: () => boolean;
  /** Directory of the built SPA, served when it holds an index.html. */
  staticDir: string | null;
  /** Tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, else null. */
  tracing?: Tracing | null;
}

/** Builds the Express application from already-opened dependencies; `server.ts` listens and shuts down. */
export function createApp(deps: AppDeps): Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // list, stats and task ETags are set explicitly (see the response cache)
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.use(requestId());
  if (deps.tracing) app.use(deps.tracing.middleware);
  app.use((_req, res, next) => {
    // While draining, ask clients and proxies not to reuse this connection.
    if (deps.isDraining()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(httpMetrics(metrics));
  app.use(requestLogging(logger));
  app.use(securityHeaders());
  app.use(compression());
  if (config.allowedOrigins.length > 0) {
    app.use(
      cors({
        origin: config.allowedOrigins.includes('*') ? true : config.allowedOrigins,
        credentials: true,
        exposedHeaders: [
          'ETag',
          'Location',
          'X-Request-Id',
          'X-Cache',
          'Retry-After',
          'RateLimit',
          'RateLimit-Policy',
          'Idempotent-Replayed',
        ],
        maxAge: 600,
      }),
    );
  }

  app.use(
    healthRoutes({
      version: config.version,
      commit: config.commit,
      databaseStatus: () => deps.storage.readiness(),
      cacheStatus: () => deps.cache.status(),
      isDraining: deps.isDraining,
      metrics,
      metricsToken: config.metricsToken,
    }),
  );

  const openApiDocument = JSON.stringify(buildOpenApiDocument(config.version));
  const api = express.Router();
  api.use(limitQueryLength(QUERY_STRING_MAX_BYTES));
  api.use(identify(deps.accessTokens));
  api.use(deps.limiters.api);
  api.use(requireJsonBody());
  api.use(express.json({ limit: config.bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }));
  api.use(cookieParser());
  api.get('/v1/openapi.json', (_req, res) => {
    res.type('application/json').send(openApiDocument);
  });
  api.use(
    AUTH_BASE_PATH.replace(/^\/api/, ''),
    markRouteBase,
    authRoutes({
      service: deps.authService,
      limiters: deps.limiters,
      refreshTtlMs: config.jwt.refreshTtlMs,
      cookieSecure: config.cookieSecure,
      onBackgroundError: (work, error) => {
        logger.error(`background work failed: ${work}`, {
          error: error instanceof Error ? error.message : String(error),
        });
      },
    }),
  );
  const reads = cachedJson(deps.cache);
  const idempotent = idempotency({
    repository: deps.storage.idempotency,
    clock: deps.clock,
    logger,
    leaseMs: config.idempotencyLeaseMs,
  });
  api.use(
    TASKS_BASE_PATH.replace(/^\/api/, ''),
    markRouteBase,
    tasksRoutes({ service: deps.tasksService, reads, clock: deps.clock, idempotent }),
  );
  api.use(
    PROJECTS_BASE_PATH.replace(/^\/api/, ''),
    markRouteBase,
    projectsRoutes({ service: deps.projectsService, reads, idempotent }),
  );
  api.use(
    INVITATIONS_BASE_PATH.replace(/^\/api/, ''),
    markRouteBase,
    invitationsRoutes({ service: deps.projectsService }),
  );
  api.use('/v1', markRouteBase, changesRoutes({ service: deps.changesService }));
  api.use(
    NOTIFICATIONS_BASE_PATH.replace(/^\/api/, ''),
    markRouteBase,
    notificationsRoutes({ notifications: deps.storage.notifications, users: deps.storage.users, clock: deps.clock }),
  );
  api.use(notFoundHandler());
  app.use('/api', api);

  if (deps.staticDir !== null) {
    const spa = staticSpa(deps.staticDir);
    if (spa) app.use(spa);
    else logger.info(`no built SPA in ${deps.staticDir}; serving the API only`);
  }

  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
