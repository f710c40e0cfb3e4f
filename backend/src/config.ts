import { CHANGE_RETENTION_DAYS_MIN } from './changes/change.model.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/** Durations like `15m`, `7d`, `30s`, `12h` or a bare number of seconds. */
const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(value: string): number | null {
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

const duration = (fallback: string, allowZero = false) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null || (ms === 0 && !allowZero)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 15m, 12h or 7d` });
        return z.NEVER;
      }
      return ms;
    });

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(5000, 0, 65535),
  DATA_DIR: z.string().default('./data'),
  MONGODB_URI: optionalText.refine(
    (value) => value === undefined || /^mongodb(\+srv)?:\/\//.test(value),
    'must start with mongodb:// or mongodb+srv://',
  ),
  MONGODB_POOL_SIZE: int(50, 1, 1000),
  GIT_COMMIT: optionalText.refine(
    (value) => value === undefined || /^[0-9a-f]{7,64}$/.test(value),
    'must be a git commit id (7 to 64 lower-case hex digits)',
  ),
  REDIS_URL: optionalText.refine(
    (value) => value === undefined || /^rediss?:\/\//.test(value),
    'must start with redis:// or rediss://',
  ),
  REDIS_HOST: optionalText,
  REDIS_PORT: int(6379, 1, 65535),
  REDIS_PASSWORD: optionalText,
  REDIS_CLUSTER_NODES: list,
  REDIS_CLUSTER_MODE: boolean,
  JWT_SECRET: optionalText,
  JWT_EXPIRE: duration('15m'),
  REFRESH_EXPIRE: duration('7d'),
  JWT_ISSUER: z.string().default('primo'),
  JWT_AUDIENCE: z.string().default('primo-api'),
  BCRYPT_ROUNDS: int(12, 4, 15),
  CLIENT_URL: optionalText,
  SMTP_URL: optionalText.refine(
    (value) => value === undefined || /^smtps?:\/\/[^\s]+$/.test(value),
    'must be an smtp:// (STARTTLS when offered) or smtps:// (TLS) URL such as smtp://user:pass@mail.example.com:587',
  ),
  MAIL_RETRY_MS: int(1000, 10, 600_000),
  MAIL_FROM: z
    .string()
    .trim()
    .min(3, 'must be an address such as Primo <no-reply@example.com>')
    .default('Primo <no-reply@localhost>'),
  ALLOWED_ORIGINS: list,
  RATE_LIMIT_WINDOW: int(15, 1, 24 * 60),
  RATE_LIMIT_MAX: int(1000, 1, 10_000_000),
  AUTH_RATE_LIMIT_MAX: int(5, 1, 10_000_000),
  TRUST_PROXY: int(0, 0, 10),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'silent']).default('info'),
  LOG_FILE_PATH: optionalText,
  METRICS_TOKEN: optionalText,
  CACHE_TTL: int(300, 0, 86_400),
  CACHE_MAX_BODY_BYTES: int(256 * 1024, 1024, 16 * 1024 * 1024),
  LIVE_POLL_MS: int(25, 5, 5000),
  LIVE_MAX_CONNECTIONS: int(10_000, 1, 1_000_000),
  LIVE_MAX_PER_USER: int(20, 1, 10_000),
  JOBS_IN_PROCESS: z.enum(['auto', 'true', 'false']).default('auto'),
  JOBS_POLL_MS: int(500, 10, 60_000),
  WORKER_PORT: int(3001, 0, 65_535),
  WORKER_CONCURRENCY: int(8, 1, 256),
  WORKER_LOCK_MS: int(15_000, 1000, 600_000),
  CHANGES_RETENTION_DAYS: int(CHANGE_RETENTION_DAYS_MIN, CHANGE_RETENTION_DAYS_MIN, 3650),
  IDEMPOTENCY_LEASE_MS: int(10_000, 100, 600_000),
  BODY_LIMIT: z.string().default('100kb'),
  SHUTDOWN_TIMEOUT: duration('10s'),
  STATIC_DIR: optionalText,
  COOKIE_SECURE: z.enum(['true', 'false']).default('true'),
  SHUTDOWN_DELAY: duration('0s', true),
  SLOW_QUERY_MS: int(200, 0, 600_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.refine(
    (value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value),
    'must be an http:// or https:// URL of an OTLP/HTTP receiver (spans go to <it>/v1/traces)',
  ),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores')
    .default('primo-backend'),
});

export interface RedisConfig {
  url?: string;
  host?: string;
  port: number;
  password?: string;
  clusterNodes: string[];
}

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  mongo: { uri?: string; poolSize: number };
  redis: RedisConfig | null;
  jwt: {
    secret: string;
    secretIsEphemeral: boolean;
    accessTtlMs: number;
    refreshTtlMs: number;
    issuer: string;
    audience: string;
  };
  bcryptRounds: number;
  allowedOrigins: string[];
  rateLimit: { windowMs: number; max: number; authMax: number };
  trustProxy: number;
  log: { level: string; filePath?: string };
  metricsToken?: string;
  cache: { ttlSeconds: number; maxBodyBytes: number };
  /** Days of change log `/changes` serves (older changes are pruned in the background). */
  changesRetentionDays: number;
  /**
   * How long an `Idempotency-Key` claim holds: a retry during it gets 409; after it, a retry of a first
   * attempt that died without committing runs the request.
   */
  idempotencyLeaseMs: number;
  /** Live delivery: how often an idle instance reads the change log, and its connection limits. */
  live: { pollMs: number; maxConnections: number; maxPerUser: number };
  /**
   * Background work (reminders, notifications, recurring tasks): run by this process from the store
   * (`inProcess`, the default without Redis: one instance) or by `worker.js` processes; `pollMs` is
   * how often idle work looks again.
   */
  jobs: { inProcess: boolean; pollMs: number };
  /**
   * Email: sent through `smtpUrl` by the worker (or this process without Redis), logged when unset;
   * links in it point into the web app at `clientUrl` (CLIENT_URL, else this server); a failed send
   * is retried after `retryMs`, then twice that, and so on.
   */
  mail: { smtpUrl?: string; from: string; clientUrl: string; retryMs: number };
  /** The worker process (`worker.js`): its health and metrics port, jobs at once per queue, job lock. */
  worker: { port: number; concurrency: number; lockMs: number };
  bodyLimit: string;
  shutdownTimeoutMs: number;
  staticDir: string | null;
  /** The refresh cookie carries `Secure` (browsers accept Secure cookies on http://localhost). */
  cookieSecure: boolean;
  /** Time between readiness turning 503 and the listener closing, so a load balancer can stop routing first. */
  shutdownDelayMs: number;
  /** Storage calls at least this slow are logged (`slow storage operation`); 0 logs none. */
  slowQueryMs: number;
  /** OpenTelemetry tracing: on only when an OTLP endpoint is configured. */
  tracing: { endpoint?: string; serviceName: string };
  version: string;
  /** The source revision this build came from (GIT_COMMIT, set by the image build), or null. */
  commit: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates the environment once; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, version = '0.0.0'): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const shown = env[name] === undefined ? '' : ` (got "${env[name]}")`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${shown}`);
  }
  const e = parsed.data;

  let secret = e.JWT_SECRET;
  let secretIsEphemeral = false;
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    throw new ConfigError('Invalid configuration: JWT_SECRET must be at least 32 bytes long');
  }
  if (secret === undefined) {
    if (e.NODE_ENV === 'production') {
      throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production');
    }
    secret = randomBytes(48).toString('base64url');
    secretIsEphemeral = true;
  }

  const redisWanted = e.REDIS_URL !== undefined || e.REDIS_HOST !== undefined || e.REDIS_CLUSTER_NODES.length > 0;
  if (e.REDIS_CLUSTER_MODE && e.REDIS_CLUSTER_NODES.length === 0) {
    throw new ConfigError(
      'Invalid configuration: REDIS_CLUSTER_MODE=true needs REDIS_CLUSTER_NODES (host:port,host:port)',
    );
  }
  for (const node of e.REDIS_CLUSTER_NODES) {
    if (!/^[^:\s]+:\d{1,5}$/.test(node)) {
      throw new ConfigError(`Invalid configuration: REDIS_CLUSTER_NODES entry "${node}" is not host:port`);
    }
  }

  const origins = [...e.ALLOWED_ORIGINS, ...(e.CLIENT_URL ? [e.CLIENT_URL] : [])];
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `Invalid configuration: ALLOWED_ORIGINS entry "${origin}" is not an origin like https://app.example.com`,
      );
    }
  }

  const bytesLimit = /^\d+(b|kb|mb)?$/i.test(e.BODY_LIMIT);
  if (!bytesLimit)
    throw new ConfigError(`Invalid configuration: BODY_LIMIT "${e.BODY_LIMIT}" is not a size such as 100kb`);

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    mongo: { uri: e.MONGODB_URI, poolSize: e.MONGODB_POOL_SIZE },
    redis: redisWanted
      ? {
          url: e.REDIS_URL,
          host: e.REDIS_HOST,
          port: e.REDIS_PORT,
          password: e.REDIS_PASSWORD,
          clusterNodes: e.REDIS_CLUSTER_NODES,
        }
      : null,
    jwt: {
      secret,
      secretIsEphemeral,
      accessTtlMs: e.JWT_EXPIRE,
      refreshTtlMs: e.REFRESH_EXPIRE,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    bcryptRounds: e.BCRYPT_ROUNDS,
    allowedOrigins: [...new Set(origins)],
    rateLimit: { windowMs: e.RATE_LIMIT_WINDOW * 60_000, max: e.RATE_LIMIT_MAX, authMax: e.AUTH_RATE_LIMIT_MAX },
    trustProxy: e.TRUST_PROXY,
    log: { level: e.LOG_LEVEL, filePath: e.LOG_FILE_PATH },
    metricsToken: e.METRICS_TOKEN,
    cache: { ttlSeconds: e.CACHE_TTL, maxBodyBytes: e.CACHE_MAX_BODY_BYTES },
    changesRetentionDays: e.CHANGES_RETENTION_DAYS,
    idempotencyLeaseMs: e.IDEMPOTENCY_LEASE_MS,
    live: { pollMs: e.LIVE_POLL_MS, maxConnections: e.LIVE_MAX_CONNECTIONS, maxPerUser: e.LIVE_MAX_PER_USER },
    jobs: {
      inProcess: e.JOBS_IN_PROCESS === 'auto' ? !redisWanted : e.JOBS_IN_PROCESS === 'true',
      pollMs: e.JOBS_POLL_MS,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      clientUrl: e.CLIENT_URL ?? `http://localhost:${e.PORT}`,
      retryMs: e.MAIL_RETRY_MS,
    },
    worker: { port: e.WORKER_PORT, concurrency: e.WORKER_CONCURRENCY, lockMs: e.WORKER_LOCK_MS },
    bodyLimit: e.BODY_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    staticDir: e.STATIC_DIR ? path.resolve(e.STATIC_DIR) : null,
    cookieSecure: e.COOKIE_SECURE === 'true',
    shutdownDelayMs: e.SHUTDOWN_DELAY,
    slowQueryMs: e.SLOW_QUERY_MS,
    tracing: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    version,
    commit: e.GIT_COMMIT ?? null,
  };
}
