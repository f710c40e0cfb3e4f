import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { type CacheBackend, MemoryCacheBackend, RedisCacheBackend, userKeyPrefix } from './cache-backends.js';
import { LruStore } from './lru-store.js';
import type { RedisConnection } from './redis-connection.js';

/** etag given for single tasks ("<id>-<version>", strong); else the cache makes a weak one from the body. */
export interface CacheLoadResult {
  body: unknown;
  etag?: string;
}

export type CacheStatus = 'up' | 'down' | 'disabled';

export interface SendOptions {
  /**
   * Part of the key besides the URL, for answers that change with time as well as with writes
   * (stats key by the current minute, so "overdue" never lags the clock by more than that).
   */
  variant?: string;
}

export interface ResponseCache {
  /**
   * Answers a cacheable GET for `userId`: HIT from the cache, or MISS → `load()` (coalesced per key per instance) → store
   * (200 only, body under the size cap) → send. Sets `X-Cache`, `ETag`, and answers 304 on a matching If-None-Match.
   * When the cache is off (TTL 0) or Redis is down: BYPASS, load() directly. Errors thrown by load() propagate (next(err)).
   */
  send(
    req: Request,
    res: Response,
    userId: string,
    load: () => Promise<CacheLoadResult>,
    options?: SendOptions,
  ): Promise<void>;
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

type CacheResult = 'HIT' | 'MISS' | 'BYPASS';

interface Representation {
  etag: string;
  json: string;
}

/** The cache key of one read: user hash tag, generation token, then the hash of path and query. */
export function responseCacheKey(userId: string, generation: string, originalUrl: string): string {
  const hash = createHash('sha1').update(originalUrl).digest('hex');
  return `${userKeyPrefix(userId)}:${generation}:${hash}`;
}

/** Quotes a bare tag; keeps an already quoted strong or weak one. */
export function normalizeEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"`;
}

export function weakEtag(json: string): string {
  return `W/"${createHash('sha1').update(json).digest('base64url')}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored. */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const target = opaque(etag);
  return header.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === target);
}

function encode(representation: Representation): string {
  return `${representation.etag}\n${representation.json}`;
}

function decode(value: string): Representation | null {
  const newline = value.indexOf('\n');
  if (newline <= 0) return null;
  return { etag: value.slice(0, newline), json: value.slice(newline + 1) };
}

/** Bodies below this are sent as they are, like the compression middleware's threshold. */
const GZIP_MIN_BYTES = 1024;

/**
 * Gzipped bodies by ETag, per instance: a representation is compressed once and then served to
 * every reader of it, instead of once per response. Equal ETags mean equal bodies (see weakEtag).
 */
const gzipped = new LruStore<Buffer>({ maxEntries: 500, maxBytes: 4 * 1024 * 1024 });
const GZIP_TTL_MS = 10 * 60 * 1000;

function gzippedBody(representation: Representation): Buffer {
  const key = `${representation.etag}:${representation.json.length}`;
  let body = gzipped.get(key);
  if (body === undefined) {
    body = gzipSync(representation.json);
    gzipped.set(key, body, GZIP_TTL_MS);
  }
  return body;
}

function reply(req: Request, res: Response, representation: Representation, result: CacheResult): void {
  res.setHeader('X-Cache', result);
  res.setHeader('ETag', representation.etag);
  // Per-user data: browsers may keep it but must revalidate, and shared caches must not keep it at all.
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'private, no-cache');
  res.vary('Authorization');
  res.vary('Accept-Encoding');
  if (ifNoneMatchMatches(req.headers['if-none-match'], representation.etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json');
  if (representation.json.length >= GZIP_MIN_BYTES && req.acceptsEncodings('gzip') === 'gzip') {
    // Setting Content-Encoding makes the compression middleware leave the body alone.
    res.setHeader('Content-Encoding', 'gzip');
    res.send(gzippedBody(representation));
    return;
  }
  res.send(representation.json);
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

  async function bypass(req: Request, res: Response, load: () => Promise<CacheLoadResult>): Promise<void> {
    const representation = await loadRepresentation(load);
    metrics.cacheEvents.inc({ result: 'bypass' });
    reply(req, res, representation, 'BYPASS');
  }

  return {
    async send(req, res, userId, load, sendOptions) {
      if (backend === null) return bypass(req, res, load);
      const variant = sendOptions?.variant;
      const key = await lookupKey(
        backend,
        userId,
        variant === undefined ? req.originalUrl : `${req.originalUrl}#${variant}`,
      );
      if (key === null) return bypass(req, res, load);

      let cached: string | null;
      try {
        cached = await backend.get(key);
      } catch {
        return bypass(req, res, load);
      }
      const hit = cached === null ? null : decode(cached);
      if (hit !== null) {
        metrics.cacheEvents.inc({ result: 'hit' });
        reply(req, res, hit, 'HIT');
        return;
      }

      // The key carries the user's generation, so a read issued after a write never joins a load started before it.
      let flight = inFlight.get(key);
      if (flight === undefined) {
        flight = loadAndStore(backend, key, load).finally(() => inFlight.delete(key));
        inFlight.set(key, flight);
      }
      const representation = await flight;
      metrics.cacheEvents.inc({ result: 'miss' });
      reply(req, res, representation, 'MISS');
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
