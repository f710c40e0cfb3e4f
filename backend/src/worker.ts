import { createServer, type Server } from 'node:http';
import { Emitter } from '@socket.io/redis-emitter';
import express from 'express';
import { connectRedis, createQueueClient } from './cache/redis-connection.js';
import { createResponseCache } from './cache/response-cache.js';
import { notifyMembers } from './projects/change-notifier.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { systemClock } from './domain/clock.js';
import { JobScheduler, LeaderLock } from './jobs/job-scheduler.js';
import { createJobMetrics } from './jobs/job-metrics.js';
import { jobHandlersFor } from './jobs/job-wiring.js';
import { QueueWorkers, registerQueueMetrics } from './jobs/queue-workers.js';
import { openQueues } from './jobs/queues.js';
import { MailTemplates } from './mail/mail-messages.js';
import { createMailer } from './mail/mailer.js';
import { LIVE_REDIS_KEY } from './live/redis-live-adapter.js';
import { healthRoutes } from './observability/health.routes.js';
import { instrumentStorage } from './observability/instrument-storage.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { startTracing } from './observability/tracing.js';
import { packageVersion } from './runtime.js';
import { openStorage } from './storage/open-storage.js';

/** Reminders due within this long are queued as delayed jobs. */
const HORIZON_MS = 60_000;
/** How often the whole horizon is queued again (jobs lost with Redis's data come back within this). */
const RESWEEP_MS = 30_000;
/** The lead lapses this long after its holder stops renewing it. */
const LEADER_TTL_MS = 10_000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The worker process: BullMQ workers for every queue, and — in the one worker holding the lead —
 * the scheduler that turns the change log and the pending reminders into jobs. Serves
 * `/health/live`, `/health/ready` and `/metrics` on WORKER_PORT. Stops on SIGTERM/SIGINT after the
 * jobs in hand finish (or SHUTDOWN_TIMEOUT passes, when they are left to another worker).
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, packageVersion());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({
    level: config.log.level,
    json: config.env === 'production',
    filePath: config.log.filePath,
  });
  if (config.redis === null) {
    process.stderr.write(
      'The worker needs Redis (REDIS_URL, REDIS_HOST or REDIS_CLUSTER_NODES). Without Redis the API process runs the background work itself.\n',
    );
    process.exit(1);
  }

  // The worker's spans are its own service unless OTEL_SERVICE_NAME names one for both programs.
  const tracing = await startTracing(
    { ...config.tracing, serviceName: process.env.OTEL_SERVICE_NAME ? config.tracing.serviceName : 'primo-worker' },
    logger,
  );
  const metrics = createMetrics(true);
  const jobMetrics = createJobMetrics(metrics.registry);
  const storage = instrumentStorage(await openStorage(config, logger), {
    metrics,
    logger,
    slowMs: config.slowQueryMs,
    span: tracing?.span,
  });
  const redis = createQueueClient(config.redis);
  let redisUp = false;
  let onRedisBack = () => undefined as void;
  redis.on('ready', () => {
    if (!redisUp) logger.info('worker: Redis connected');
    redisUp = true;
    // Redis may have come back without its data: queue what the store holds again, from the start.
    onRedisBack();
  });
  redis.on('error', (error: Error) => {
    if (redisUp) logger.warn('worker: Redis unavailable; jobs wait for it', { error: error.message });
    redisUp = false;
  });
  redis.on('end', () => {
    redisUp = false;
  });

  // What a job writes reaches the members' next reads, as an API write does: through the cache generations.
  const cacheRedis = connectRedis(config.redis, logger);
  const cache = createResponseCache({
    redis: cacheRedis,
    ttlSeconds: config.cache.ttlSeconds,
    maxBodyBytes: config.cache.maxBodyBytes,
    metrics,
    logger,
  });
  const emitter = new Emitter(redis, { key: LIVE_REDIS_KEY });
  const handlers = jobHandlersFor(storage, {
    clock: systemClock,
    logger,
    onChange: notifyMembers(storage.projects, (userId) => cache.invalidateUser(userId)),
    push: (userId, notification) => {
      emitter.to(`user:${userId}`).emit('notification', notification);
    },
  });
  const queues = openQueues(redis, config.mail.retryMs, tracing?.queueTelemetry);
  const mailer = createMailer(config.mail, logger);
  if (!mailer.sends) logger.info('worker: SMTP_URL is not set; emails are logged, not sent');
  registerQueueMetrics(metrics.registry, queues);
  const workers = new QueueWorkers({
    handlers,
    queues,
    connection: redis,
    metrics: jobMetrics,
    logger,
    concurrency: config.worker.concurrency,
    lockMs: config.worker.lockMs,
    mailer,
    notifications: storage.notifications,
    telemetry: tracing?.queueTelemetry,
  });

  const lock = new LeaderLock(redis, LEADER_TTL_MS);
  const scheduler = new JobScheduler({
    changes: storage.changes,
    jobs: storage.jobs,
    queues,
    clock: systemClock,
    logger,
    horizonMs: HORIZON_MS,
    resweepMs: RESWEEP_MS,
    notifications: storage.notifications,
    users: storage.users,
    templates: new MailTemplates(config.mail.clientUrl),
  });
  onRedisBack = () => scheduler.reset();
  let stopping = false;
  let leading = false;
  let timer: NodeJS.Timeout | undefined;
  let stepping: Promise<void> = Promise.resolve();
  const lead = async (): Promise<number> => {
    const held = await lock.hold();
    if (held !== leading) {
      logger.info(held ? 'worker: leading (scheduling jobs from the store)' : 'worker: no longer leading');
      scheduler.reset();
      leading = held;
    }
    if (!held) return LEADER_TTL_MS / 4;
    return (await scheduler.step()) ? 0 : config.jobs.pollMs;
  };
  let failing = false;
  const loop = () => {
    if (stopping) return;
    stepping = lead().then(
      (delay) => {
        if (failing) logger.info('worker: scheduling again');
        failing = false;
        timer = setTimeout(loop, delay);
      },
      (error: unknown) => {
        if (!failing) logger.warn('worker: cannot schedule jobs; retrying', { error: message(error) });
        failing = true;
        scheduler.reset();
        timer = setTimeout(loop, config.jobs.pollMs * 4);
      },
    );
  };
  loop();

  const app = express();
  app.disable('x-powered-by');
  app.use(
    healthRoutes({
      version: config.version,
      commit: config.commit,
      databaseStatus: () => storage.readiness(),
      cacheStatus: () => (redisUp ? 'up' : 'down'),
      isDraining: () => stopping,
      metrics,
      metricsToken: config.metricsToken,
    }),
  );
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.worker.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.worker.port;
  logger.info(`Primo worker ${config.version} running; health and metrics on port ${port}`, {
    store: storage.kind,
    concurrency: config.worker.concurrency,
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing the jobs in hand`);
    clearTimeout(timer);
    void shutdown(logger, config, {
      stepping: () => stepping,
      release: () => (leading ? lock.release() : Promise.resolve()),
      workers,
      queues,
      storage,
      redis,
      server,
      cache: async () => {
        await cache.close();
        await cacheRedis.close();
      },
      tracing: async () => tracing?.shutdown(),
    }).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('worker shutdown failed', { error: err instanceof Error ? err.stack : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function shutdown(
  logger: Logger,
  config: Config,
  parts: {
    stepping: () => Promise<void>;
    release: () => Promise<void>;
    workers: QueueWorkers;
    queues: { close(): Promise<void> };
    storage: { close(): Promise<void> };
    redis: { quit(): Promise<unknown>; disconnect(): void };
    server: Server;
    cache: () => Promise<void>;
    tracing: () => Promise<void>;
  },
): Promise<void> {
  await parts.stepping();
  await parts.release().catch(() => undefined);
  await parts.workers.close(config.shutdownTimeoutMs);
  await parts.queues.close();
  await new Promise<void>((resolve) => parts.server.close(() => resolve()));
  await parts.storage.close();
  await parts.cache();
  await parts.redis.quit().catch(() => parts.redis.disconnect());
  await parts.tracing();
  logger.info('worker stopped cleanly');
}

main().catch((err: unknown) => {
  process.stderr.write(`Primo worker failed to start: ${message(err)}\n`);
  process.exit(1);
});
