import { createHash } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { type CacheBackend, MemoryCacheBackend, RedisCacheBackend, userKeyPrefix } from './cache-backends.js';
import type { RedisConnection } from './redis-connection.js';

/** etag given for single tasks ("<id>-<version>", strong); else the cache makes a weak one from the body. */
export interface CacheLoadResult {
  body: unknown;
  etag?: string;
}

export type CacheStatus = 'up' | 'down' | 'disabled';

export type CacheResult = 'HIT' | 'MISS' | 'BYPASS';

/** One cached answer: its ETag and its JSON text. */
export interface Representation {
  etag: string;
  json: string;
}

export interface CacheRead {
  representation: Representation;
  result: CacheResult;
}

export interface ResponseCache {
  /**
   * The representation of one read by `userId`, named by `key` (the URL, plus anything else the answer varies by):
   * HIT from the cache, or MISS → `load()` (coalesced per key per instance) → store (body under the size cap).
   * When the cache is off (TTL 0) or Redis is down: BYPASS, load() directly. Errors thrown by load() propagate.
   */
  read(userId: string, key: string, load: () => Promise<CacheLoadResult>): Promise<CacheRead>;
  /** Called after every successful write by the user; never throws. */
  invalidateUser(userId: string): Promise<void>;
  status(): CacheStatus;
  close(): Promise<void>;
}

export interface ResponseCacheOptions {
  /** Shared Redis; null selects the in-process LRU (one instance only). */
  redis: RedisConnection | null;
  /** 0 turns the cache off: every read is a BYPASS. */
  ttlSeconds: number;
  /** Bodies larger than this (UTF-8 bytes of the JSON) are sent but not stored. */
  maxBodyBytes: number;
  metrics: Metrics;
  logger: Logger;
  /** Bounds of the in-process LRU. */
  memoryMaxEntries?: number;
  memoryMaxBytes?: number;
}

/** The cache key of one read: user hash tag, generation token, then the hash of the read's key (path and query). */
export function responseCacheKey(userId: string, generation: string, readKey: string): string {
  const hash = createHash('sha1').update(readKey).digest('hex');
  return `${userKeyPrefix(userId)}:${generation}:${hash}`;
}

/** Quotes a bare tag; keeps an already quoted strong or weak one. */
export function normalizeEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"`;
}

export function weakEtag(json: string): string {
  return `W/"${createHash('sha1').update(json).digest('base64url')}"`;
}

function encode(representation: Representation): string {
  return `${representation.etag}\n${representation.json}`;
}

function decode(value: string): Representation | null {
  const newline = value.indexOf('\n');
  if (newline <= 0) return null;
  return { etag: value.slice(0, newline), json: value.slice(newline + 1) };
}

/** Builds the per-user response cache: Redis when given, else a bounded in-process LRU. */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { ttlSeconds, maxBodyBytes, metrics, logger } = options;
  const enabled = ttlSeconds > 0;
  const backend: CacheBackend | null = !enabled
    ? null
    : options.redis !== null
      ? new RedisCacheBackend(options.redis, ttlSeconds, logger)
      : new MemoryCacheBackend({
          ttlSeconds,
          maxEntries: options.memoryMaxEntries ?? 10_000,
          maxBytes: options.memoryMaxBytes ?? 50 * 1024 * 1024,
        });
  const inFlight = new Map<string, Promise<Representation>>();

  async function loadRepresentation(load: () => Promise<CacheLoadResult>): Promise<Representation> {
    const result = await load();
    const json = JSON.stringify(result.body);
    return { json, etag: result.etag !== undefined ? normalizeEtag(result.etag) : weakEtag(json) };
  }

  async function loadAndStore(
    cache: CacheBackend,
    key: string,
    load: () => Promise<CacheLoadResult>,
  ): Promise<Representation> {
    const representation = await loadRepresentation(load);
    if (Buffer.byteLength(representation.json) <= maxBodyBytes) {
      // Stored before replying so the caller's next identical read is a HIT; a failed store only costs a later MISS.
      await cache.set(key, encode(representation), ttlSeconds).catch(() => undefined);
    }
    return representation;
  }

  /** The cache key for this read, or null when the read must bypass the cache. */
  async function lookupKey(cache: CacheBackend, userId: string, url: string): Promise<string | null> {
    try {
      if (!(await cache.ready())) return null;
      return responseCacheKey(userId, await cache.generation(userId), url);
    } catch {
      return null;
    }
  }

  async function bypass(load: () => Promise<CacheLoadResult>): Promise<CacheRead> {
    const representation = await loadRepresentation(load);
    metrics.cacheEvents.inc({ result: 'bypass' });
    return { representation, result: 'BYPASS' };
  }

  return {
    async read(userId, readKey, load) {
      if (backend === null) return bypass(load);
      const key = await lookupKey(backend, userId, readKey);
      if (key === null) return bypass(load);

      let cached: string | null;
      try {
        cached = await backend.get(key);
      } catch {
        return bypass(load);
      }
      const hit = cached === null ? null : decode(cached);
      if (hit !== null) {
        metrics.cacheEvents.inc({ result: 'hit' });
        return { representation: hit, result: 'HIT' };
      }

      // The key carries the user's generation, so a read issued after a write never joins a load started before it.
      let flight = inFlight.get(key);
      if (flight === undefined) {
        flight = loadAndStore(backend, key, load).finally(() => inFlight.delete(key));
        inFlight.set(key, flight);
      }
      const representation = await flight;
      metrics.cacheEvents.inc({ result: 'miss' });
      return { representation, result: 'MISS' };
    },

    async invalidateUser(userId) {
      await backend?.bump(userId).catch(() => undefined);
    },

    status() {
      return backend === null ? 'disabled' : backend.status();
    },

    async close() {
      await backend?.close();
    },
  };
}
