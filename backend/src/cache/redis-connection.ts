import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';

export type RedisClient = Redis | Cluster;
export type RedisStatus = 'up' | 'down';

export interface RedisConnection {
  /** 'up' while connected and the circuit breaker is closed. */
  status(): RedisStatus;
  /** Runs commands through the circuit breaker; rejects at once while it is open. */
  run<T>(fn: (client: RedisClient) => Promise<T>): Promise<T>;
  /** The raw client, e.g. for rate-limit-redis's sendCommand (which must also respect the breaker/fail fast). */
  readonly client: RedisClient;
  /** Calls `listener` on every change of `status()`; returns a function that unsubscribes it. */
  onStatusChange(listener: (status: RedisStatus) => void): () => void;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  /** Longest a single command may take before it counts as failed. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Consecutive command failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before a background PING tries Redis again. */
  resetTimeoutMs?: number;
}

/** Rejection of a command that was not sent because Redis is known to be unavailable. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** Reconnect delays: 100 ms doubling to a 2 s ceiling, with jitter so instances do not reconnect in lockstep. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Error replies that mean Redis itself cannot serve (loading, cluster down) do count as failures. */
function isAnswerFromHealthyRedis(error: unknown): error is Error {
  return (
    error instanceof Error &&
    error.name === 'ReplyError' &&
    !/^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|BUSY|READONLY)\b/.test(error.message)
  );
}

/**
 * After a failover (ElastiCache promotes a replica and moves the primary endpoint's DNS name), a
 * connection still open to the old primary gets READONLY on every write: reconnect, which resolves
 * the endpoint again and reaches the new primary. The failed command is not resent (fail fast).
 */
export function reconnectOnReadOnly(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

function describeTarget(config: RedisConfig): string {
  if (config.clusterNodes.length > 0) return `cluster ${config.clusterNodes.join(',')}`;
  if (config.url !== undefined) {
    try {
      const url = new URL(config.url);
      return `${url.protocol}//${url.host}`;
    } catch {
      return 'redis (unparseable URL)';
    }
  }
  return `${config.host ?? '127.0.0.1'}:${config.port}`;
}

function createClient(config: RedisConfig, options: Required<RedisConnectionOptions>): RedisClient {
  // Fail fast: no offline queue and no per-request retries, so a command issued while Redis is
  // away is rejected immediately instead of waiting for a reconnect that may never come.
  const common: RedisOptions = {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: reconnectDelayMs,
    reconnectOnError: reconnectOnReadOnly,
    ...(config.password !== undefined ? { password: config.password } : {}),
  };
  if (config.clusterNodes.length > 0) {
    const nodes = config.clusterNodes.map((node) => {
      const [host = '', port = ''] = node.split(':');
      return { host, port: Number(port) };
    });
    return new Cluster(nodes, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: reconnectDelayMs,
      slotsRefreshTimeout: options.connectTimeoutMs,
      retryDelayOnClusterDown: 100,
      redisOptions: common,
    });
  }
  if (config.url !== undefined) return new Redis(config.url, common);
  return new Redis({ ...common, host: config.host ?? '127.0.0.1', port: config.port });
}

/**
 * A connection for BullMQ, which needs the opposite of fail-fast: commands wait for a reconnect
 * (no per-request retry limit, an offline queue) so that a worker's blocking reads survive a Redis
 * restart; BullMQ duplicates it for those reads.
 */
export function createQueueClient(config: RedisConfig): RedisClient {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: reconnectDelayMs,
    reconnectOnError: reconnectOnReadOnly,
    ...(config.password !== undefined ? { password: config.password } : {}),
  };
  if (config.clusterNodes.length > 0) {
    const nodes = config.clusterNodes.map((node) => {
      const [host = '', port = ''] = node.split(':');
      return { host, port: Number(port) };
    });
    return new Cluster(nodes, { clusterRetryStrategy: reconnectDelayMs, redisOptions: options });
  }
  if (config.url !== undefined) return new Redis(config.url, options);
  return new Redis({ ...options, host: config.host ?? '127.0.0.1', port: config.port });
}

/**
 * Opens the shared Redis (standalone or cluster) in fail-fast mode behind a circuit breaker, and
 * logs each change between reachable and unreachable once rather than once per failed request.
 */
export function connectRedis(
  config: RedisConfig,
  logger: Logger,
  connectionOptions: RedisConnectionOptions = {},
): RedisConnection {
  const options: Required<RedisConnectionOptions> = {
    commandTimeoutMs: 200,
    connectTimeoutMs: 2000,
    failureThreshold: 3,
    resetTimeoutMs: 1000,
    ...connectionOptions,
  };
  const target = describeTarget(config);
  const listeners = new Set<(status: RedisStatus) => void>();
  let reported: RedisStatus | 'starting' = 'starting';
  let lastError: string | undefined;
  let closed = false;

  const client = createClient(config, options);
  const breaker = new CircuitBreaker({
    failureThreshold: options.failureThreshold,
    resetTimeoutMs: options.resetTimeoutMs,
    onStateChange: () => queueMicrotask(refresh),
  });

  const status = (): RedisStatus => (client.status === 'ready' && breaker.state === 'closed' ? 'up' : 'down');

  function refresh(): void {
    if (closed) return;
    const next = status();
    if (next === reported) return;
    // A connection that is still being set up for the first time is not an outage yet.
    if (reported === 'starting' && next === 'down' && lastError === undefined) return;
    const previous = reported;
    reported = next;
    if (next === 'up') {
      const message =
        previous === 'starting' ? 'Redis connected' : 'Redis available again; cache and shared limits resumed';
      logger.info(message, { redis: target });
    } else {
      logger.warn('Redis unavailable; serving without the shared cache until it returns', {
        redis: target,
        reason: lastError ?? 'unknown',
      });
    }
    for (const listener of listeners) listener(next);
  }

  // ioredis emits 'error' on every failed reconnect attempt; without a listener Node would crash the process.
  client.on('error', (error: Error) => {
    lastError = error.message;
    refresh();
  });
  client.on('ready', () => {
    lastError = undefined;
    breaker.reset();
    refresh();
  });
  for (const event of ['close', 'end', 'reconnecting'] as const) {
    client.on(event, () => {
      lastError ??= 'connection lost';
      breaker.open();
      refresh();
    });
  }

  // While the circuit is open on a live socket (Redis hung or timing out), a background PING is the
  // half-open trial, so no user request has to be the one that waits for it.
  const probe = setInterval(
    () => {
      if (closed || client.status !== 'ready' || breaker.state !== 'half-open') return;
      breaker
        .execute(() => client.ping())
        .catch((error: unknown) => {
          lastError = error instanceof Error ? error.message : String(error);
        });
    },
    Math.max(50, Math.floor(options.resetTimeoutMs / 2)),
  );
  probe.unref();

  return {
    client,
    status,
    async run<T>(fn: (redis: RedisClient) => Promise<T>): Promise<T> {
      if (client.status !== 'ready') throw new RedisUnavailableError(`Redis is not connected (${client.status})`);
      // Only the background probe makes the half-open trial: a user request never waits on a Redis that may still hang.
      if (breaker.state !== 'closed') throw new CircuitOpenError();
      // An error reply (NOSCRIPT, WRONGTYPE…) proves Redis is answering, so it must not count towards opening the circuit.
      const outcome = await breaker.execute(async () => {
        try {
          return { value: await fn(client) };
        } catch (error) {
          if (isAnswerFromHealthyRedis(error)) return { replyError: error };
          // Recorded before the breaker reacts, so the one outage log line names the cause.
          lastError = error instanceof Error ? error.message : String(error);
          throw error;
        }
      });
      if ('replyError' in outcome) throw outcome.replyError;
      return outcome.value;
    },
    onStatusChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(probe);
      listeners.clear();
      if (client.status === 'ready') {
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
    },
  };
}
