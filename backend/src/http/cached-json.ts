import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { LruStore } from '../cache/lru-store.js';
import type { CacheLoadResult, CacheResult, Representation, ResponseCache } from '../cache/response-cache.js';

export interface CachedReadOptions {
  /**
   * Part of the key besides the URL, for answers that change with time as well as with writes
   * (stats key by the current minute, so "overdue" never lags the clock by more than that).
   */
  variant?: string;
}

/** Conditional JSON answers for cacheable per-user GETs. */
export interface CachedJson {
  /**
   * Answers a GET for `userId` through the response cache: sets `X-Cache`, `ETag`, `Cache-Control`
   * and `Vary`, answers 304 on a matching If-None-Match, and serves a gzipped body when the client
   * takes one. Errors thrown by `load()` propagate.
   */
  send(
    req: Request,
    res: Response,
    userId: string,
    load: () => Promise<CacheLoadResult>,
    options?: CachedReadOptions,
  ): Promise<void>;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored. */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const target = opaque(etag);
  return header.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === target);
}

/** Bodies below this are sent as they are, like the compression middleware's threshold. */
const GZIP_MIN_BYTES = 1024;
const GZIP_TTL_MS = 10 * 60 * 1000;

/**
 * Serves `cache`'s representations. Gzipped bodies are kept by ETag in this responder: a
 * representation is compressed once and then served to every reader of it, instead of once per
 * response. Equal ETags mean equal bodies (see weakEtag).
 */
export function cachedJson(cache: ResponseCache): CachedJson {
  const gzipped = new LruStore<Buffer>({ maxEntries: 500, maxBytes: 4 * 1024 * 1024 });

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
    res.setHeader('Cache-Control', 'private, no-cache');
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

  return {
    async send(req, res, userId, load, options) {
      const key = options?.variant === undefined ? req.originalUrl : `${req.originalUrl}#${options.variant}`;
      const { representation, result } = await cache.read(userId, key, load);
      reply(req, res, representation, result);
    },
  };
}
