import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { AuthService } from './auth/auth.service.js';
import { PasswordHasher } from './auth/password.js';
import { AccessTokens } from './auth/tokens.js';
import { connectRedis, type RedisConnection } from './cache/redis-connection.js';
import { createResponseCache, type ResponseCache } from './cache/response-cache.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { createRateLimiters } from './http/rate-limit.js';
import type { Logger } from './observability/logger.js';
import { instrumentStorage } from './observability/instrument-storage.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { registerLiveMetrics, registerRuntimeMetrics } from './observability/runtime-metrics.js';
import type { Tracing } from './observability/tracing.js';
import { openStorage } from './storage/open-storage.js';
import type { Storage } from './storage/storage.js';
import { notifyMembers } from './projects/change-notifier.js';
import { ChangesService } from './changes/changes.service.js';
import { LiveHub } from './live/live-hub.js';
import { ProjectsService } from './projects/projects.service.js';
import { TasksService } from './tasks/tasks.service.js';
import { jobHandlersFor, livePusher } from './jobs/job-wiring.js';
import { invitationNotice } from './mail/invitation-notice.js';
import { createJobMetrics } from './jobs/job-metrics.js';
import { InProcessJobs } from './jobs/in-process-runner.js';
import { openQueues, type JobQueues } from './jobs/queues.js';
import { createQueueClient } from './cache/redis-connection.js';
import { InProcessMail } from './mail/in-process-mail.js';
import { MailTemplates } from './mail/mail-messages.js';
import type { MailOutbox } from './mail/mail-outbox.js';
import { createMailer } from './mail/mailer.js';
import { QueuedMailOutbox } from './mail/queued-mail-outbox.js';

const REFRESH_PURGE_INTERVAL_MS = 60 * 60 * 1000;
const CHANGES_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Everything one running instance holds, so the server and the tests start and stop it the same way. */
export interface Runtime {
  app: Express;
  config: Config;
  storage: Storage;
  redis: RedisConnection | null;
  cache: ResponseCache;
  metrics: Metrics;
  /** Live delivery; `server.ts` attaches it to the HTTP server. */
  live: LiveHub;
  /** The background work run by this process (without Redis), or null when workers run it. */
  jobs: InProcessJobs | null;
  /** The email this process sends itself (without Redis), or null when workers send it. */
  mail: InProcessMail | null;
  /** Readiness turns 503 and responses ask for the connection to close. */
  startDraining(): void;
  isDraining(): boolean;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Use this store instead of opening one from the config (it is then not closed by `close()`). */
  storage?: Storage;
  /** Collect default process metrics (off when a test builds many runtimes). */
  processMetrics?: boolean;
  /** The time source of every service and route (the system clock unless a test pins it). */
  clock?: Clock;
  /** Started tracing (see observability/tracing.ts), or null/absent when off; `close()` shuts it down. */
  tracing?: Tracing | null;
}

/** The version in backend/package.json (one level above both src/ and dist/). */
export function packageVersion(): string {
  const file = fileURLToPath(new URL('../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The built SPA next to the backend package unless STATIC_DIR says otherwise. */
function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../frontend/dist', import.meta.url));
}

/** Opens the store and Redis, builds the services and the app. */
export async function createRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const openedStorage = options.storage ?? (await openStorage(config, logger));
  const ownsStorage = options.storage === undefined;
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics(options.processMetrics ?? true);
  const tracing = options.tracing ?? null;
  const storage = instrumentStorage(openedStorage, {
    metrics,
    logger,
    slowMs: config.slowQueryMs,
    span: tracing?.span,
  });
  const redis = config.redis ? connectRedis(config.redis, logger) : null;
  if (redis && tracing) tracing.instrumentRedis(redis.client);
  registerRuntimeMetrics(metrics.registry, {
    redisStatus: redis ? () => redis.status() : undefined,
    onRedisStatusChange: redis ? (listener) => void redis.onStatusChange(listener) : undefined,
    dataDir: storage.kind === 'sqlite' ? config.dataDir : undefined,
  });
  const cache = createResponseCache({
    redis,
    ttlSeconds: config.cache.ttlSeconds,
    maxBodyBytes: config.cache.maxBodyBytes,
    metrics,
    logger,
  });
  const limiters = createRateLimiters({ config, redis, metrics, logger });
  const accessTokens = new AccessTokens({
    secret: config.jwt.secret,
    ttlMs: config.jwt.accessTtlMs,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    clock,
  });
  // Email leaves from the background: this process's own sender without Redis, the worker's queue with it.
  const templates = new MailTemplates(config.mail.clientUrl);
  const jobMetrics = createJobMetrics(metrics.registry);
  let mail: InProcessMail | null = null;
  let mailQueues: JobQueues | null = null;
  let mailQueueClient: ReturnType<typeof createQueueClient> | null = null;
  let outbox: MailOutbox;
  if (config.jobs.inProcess || config.redis === null) {
    const mailer = createMailer(config.mail, logger);
    if (!mailer.sends) logger.info('SMTP_URL is not set: emails are logged, not sent');
    mail = new InProcessMail({
      mailer,
      templates,
      notifications: storage.notifications,
      users: storage.users,
      metrics: jobMetrics,
      logger,
      pollMs: config.jobs.pollMs,
      retryMs: config.mail.retryMs,
    });
    outbox = mail;
  } else {
    mailQueueClient = createQueueClient(config.redis);
    mailQueues = openQueues(mailQueueClient, config.mail.retryMs, tracing?.queueTelemetry);
    outbox = new QueuedMailOutbox(mailQueues.mail, logger);
  }
  const authService = new AuthService({
    users: storage.users,
    projects: storage.projects,
    refreshTokens: storage.refreshTokens,
    passwords: new PasswordHasher(config.bcryptRounds),
    accessTokens,
    refreshTtlMs: config.jwt.refreshTtlMs,
    metrics,
    clock,
    oneTimeTokens: storage.oneTimeTokens,
    mail: outbox,
    templates,
  });
  // Cached reads are per user: a change to a project reaches every member's next read.
  const onChange = notifyMembers(storage.projects, (userId) => cache.invalidateUser(userId));
  const tasksService = new TasksService(storage.tasks, storage.projects, onChange, clock, (name, work) => {
    work().catch((err: unknown) => {
      logger.warn(`background work failed: ${name}`, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  const projectsService = new ProjectsService({
    projects: storage.projects,
    invitations: storage.invitations,
    users: storage.users,
    onChange,
    clock,
    onInvited: invitationNotice({
      notifications: storage.notifications,
      mail: outbox,
      templates,
      clock,
      delivered: livePusher(storage.users, (userId, notification) => live.notify(userId, notification), logger),
    }),
  });

  const changesService = new ChangesService({
    changes: storage.changes,
    projects: storage.projects,
    tasks: storage.tasks,
    users: storage.users,
    clock,
    retentionDays: config.changesRetentionDays,
  });
  const live = new LiveHub({
    changes: storage.changes,
    projects: storage.projects,
    users: storage.users,
    accessTokens,
    logger,
    clock,
    redis: redis?.client ?? null,
    ...config.live,
  });
  registerLiveMetrics(metrics.registry, live);

  // Without Redis this process is the only instance and runs the background work itself.
  let jobs: InProcessJobs | null = null;
  if (config.jobs.inProcess) {
    const handlers = jobHandlersFor(storage, {
      clock,
      logger,
      onChange,
      push: (userId, notification) => live.notify(userId, notification),
    });
    jobs = new InProcessJobs({
      handlers,
      changes: storage.changes,
      jobs: storage.jobs,
      metrics: jobMetrics,
      logger,
      clock,
      pollMs: config.jobs.pollMs,
    });
    jobs.start();
  }
  mail?.start();
  // The change log keeps its retention; pruning runs beside requests, in short batches.
  const prune = setInterval(() => {
    changesService.prune().catch((err: unknown) => {
      logger.warn('could not prune the change log', { error: err instanceof Error ? err.message : String(err) });
    });
    storage.idempotency.prune(clock()).catch((err: unknown) => {
      logger.warn('could not prune idempotency keys', { error: err instanceof Error ? err.message : String(err) });
    });
  }, CHANGES_PRUNE_INTERVAL_MS);
  prune.unref();

  // Spent and expired refresh tokens are kept only until they expire (MongoDB also has a TTL index for this).
  const purge = setInterval(() => {
    storage.refreshTokens.purgeExpired(clock()).catch((err: unknown) => {
      logger.warn('could not purge expired refresh tokens', {
        error: err instanceof Error ? err.message : String(err),
      });
    });
    storage.oneTimeTokens.purgeExpired(clock()).catch((err: unknown) => {
      logger.warn('could not purge expired link tokens', { error: err instanceof Error ? err.message : String(err) });
    });
  }, REFRESH_PURGE_INTERVAL_MS);
  purge.unref();

  let draining = false;
  const app = createApp({
    config,
    logger,
    metrics,
    storage,
    cache,
    limiters,
    accessTokens,
    authService,
    tasksService,
    projectsService,
    changesService,
    clock,
    isDraining: () => draining,
    staticDir: config.staticDir ?? defaultStaticDir(),
    tracing,
  });

  return {
    app,
    config,
    storage,
    redis,
    cache,
    metrics,
    live,
    jobs,
    mail,
    startDraining: () => {
      draining = true;
    },
    isDraining: () => draining,
    close: async () => {
      clearInterval(purge);
      clearInterval(prune);
      await jobs?.stop();
      await mail?.stop();
      await mailQueues?.close();
      await mailQueueClient?.quit().catch(() => mailQueueClient?.disconnect());
      await live.close();
      await cache.close();
      await redis?.close();
      if (ownsStorage) await storage.close();
      await tracing?.shutdown();
    },
  };
}
