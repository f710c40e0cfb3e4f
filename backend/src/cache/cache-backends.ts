import type { Logger } from '../observability/logger.js';
import { LruStore } from './lru-store.js';
import type { RedisConnection } from './redis-connection.js';

/** Where the response cache keeps bodies and each user's generation. */
export interface CacheBackend {
  /** 'down' means reads must bypass the cache. */
  status(): 'up' | 'down';
  /**
   * Resolves true when reads may be served from this backend right now; first replays
   * anything an outage left undone (lost invalidations) so no pre-outage entry is served.
   */
  ready(): Promise<boolean>;
  /** The user's current generation token; entries stored under an older token are unreachable. */
  generation(userId: string): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Makes every entry of the user unreachable; never throws. */
  bump(userId: string): Promise<void>;
  close(): Promise<void>;
}

/** `{userId}` is a Redis Cluster hash tag: all keys of one user live in one slot. */
export function userKeyPrefix(userId: string): string {
  return `cache:{${userId}}`;
}

export function generationKey(userId: string): string {
  return `${userKeyPrefix(userId)}:gen`;
}

/** Bumped by an instance that has seen Redis go away, when it sees it back: see `RedisCacheBackend`. */
export const EPOCH_KEY = 'cache:epoch';

/**
 * The shared backend. Reads use `<epoch>.<generation>` as the token; a write INCRs the user's
 * generation. Two outage rules keep reads from predating a write that could not INCR:
 * - an instance whose INCR failed keeps the user in `pending` and replays the INCR before it
 *   serves anything from Redis again (and in the background as soon as Redis answers);
 * - an instance that has seen Redis down bumps the global epoch before it serves from Redis
 *   again, which covers writes whose INCR failed on *other* instances during the same outage.
 */
export class RedisCacheBackend implements CacheBackend {
  private readonly pending = new Set<string>();
  private epochBumpNeeded = false;
  private recovery: Promise<boolean> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  /** Generation keys outlive every entry stored under them, so a generation never restarts while old entries exist. */
  private readonly generationTtlSeconds: number;

  constructor(
    private readonly redis: RedisConnection,
    ttlSeconds: number,
    private readonly logger: Logger,
  ) {
    this.generationTtlSeconds = ttlSeconds + 3600;
    this.unsubscribe = redis.onStatusChange((status) => {
      if (status === 'down') {
        this.epochBumpNeeded = true;
      } else {
        void this.recover();
      }
    });
  }

  status(): 'up' | 'down' {
    return this.redis.status();
  }

  async ready(): Promise<boolean> {
    if (this.redis.status() !== 'up') return false;
    if (this.pending.size === 0 && !this.epochBumpNeeded) return true;
    const recovered = await this.recover();
    return recovered && this.pending.size === 0 && !this.epochBumpNeeded;
  }

  async generation(userId: string): Promise<string> {
    const [epoch, generation] = await this.redis.run((client) =>
      Promise.all([client.get(EPOCH_KEY), client.getex(generationKey(userId), 'EX', this.generationTtlSeconds)]),
    );
    return `${epoch ?? '0'}.${generation ?? '0'}`;
  }

  get(key: string): Promise<string | null> {
    return this.redis.run((client) => client.get(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.run((client) => client.set(key, value, 'EX', ttlSeconds));
  }

  async bump(userId: string): Promise<void> {
    try {
      await this.incrementGeneration(userId);
    } catch {
      this.pending.add(userId);
      this.scheduleRetry();
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async incrementGeneration(userId: string): Promise<void> {
    const key = generationKey(userId);
    await this.redis.run(async (client) => {
      const results = await client.multi().incr(key).expire(key, this.generationTtlSeconds).exec();
      const failed = results?.find(([error]) => error !== null);
      if (results === null || failed !== undefined) {
        throw failed?.[0] ?? new Error('generation INCR transaction was discarded');
      }
    });
  }

  private recover(): Promise<boolean> {
    this.recovery ??= this.replayAfterOutage().finally(() => {
      this.recovery = null;
    });
    return this.recovery;
  }

  private async replayAfterOutage(): Promise<boolean> {
    try {
      for (const userId of [...this.pending]) {
        await this.incrementGeneration(userId);
        this.pending.delete(userId);
      }
      if (this.epochBumpNeeded) {
        this.epochBumpNeeded = false;
        try {
          await this.redis.run((client) => client.incr(EPOCH_KEY));
        } catch (error) {
          this.epochBumpNeeded = true;
          throw error;
        }
        this.logger.info('Response cache: entries from before the Redis outage invalidated');
      }
      return true;
    } catch {
      if (this.pending.size > 0) this.scheduleRetry();
      return false;
    }
  }

  /** Replays lost invalidations soon rather than waiting for this instance's next read. */
  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.redis.status() === 'up') void this.recover();
      else if (this.pending.size > 0) this.scheduleRetry();
    }, 250);
    this.retryTimer.unref();
  }
}

export interface MemoryBackendOptions {
  ttlSeconds: number;
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
}

/**
 * The single-instance backend: a bounded LRU in this process. Generations come from one
 * process-wide counter, so a token is never reused and a user's record can be forgotten once
 * every entry that could have been stored under it has expired.
 */
export class MemoryCacheBackend implements CacheBackend {
  private readonly store: LruStore;
  private readonly generations = new Map<string, { token: number; bumpedAt: number }>();
  private counter = 0;
  private readonly now: () => number;

  constructor(private readonly options: MemoryBackendOptions) {
    this.now = options.now ?? Date.now;
    this.store = new LruStore({ maxEntries: options.maxEntries, maxBytes: options.maxBytes, now: this.now });
  }

  status(): 'up' {
    return 'up';
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async generation(userId: string): Promise<string> {
    return String(this.generations.get(userId)?.token ?? 0);
  }

  async get(key: string): Promise<string | null> {
    return this.store.get(key) ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.store.set(key, value, ttlSeconds * 1000);
  }

  async bump(userId: string): Promise<void> {
    this.counter += 1;
    this.generations.set(userId, { token: this.counter, bumpedAt: this.now() });
    if (this.generations.size > this.options.maxEntries) this.forgetExpiredGenerations();
  }

  async close(): Promise<void> {
    this.store.clear();
    this.generations.clear();
  }

  /**
   * A record bumped more than one TTL ago can go: its user falls back to token 0, and every
   * entry stored under token 0 predates that bump, so it has expired too.
   */
  private forgetExpiredGenerations(): void {
    const cutoff = this.now() - this.options.ttlSeconds * 1000 - 60_000;
    for (const [userId, record] of this.generations) {
      if (record.bumpedAt < cutoff) this.generations.delete(userId);
    }
  }
}
