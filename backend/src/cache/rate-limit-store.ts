import { Cluster } from 'ioredis';
import { type ClientRateLimitInfo, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply, type SendCommandClusterDetails } from 'rate-limit-redis';
import { type RedisConnection, RedisUnavailableError } from './redis-connection.js';

/** What a limiter does while Redis is unreachable. */
export type WhenRedisDown =
  /** Throw, so express-rate-limit (with `passOnStoreError`) lets the request through unlimited. */
  | 'allow'
  /** Count in this process instead: limits become per instance, but never disappear. */
  | 'count-locally';

export interface SharedRateLimitStoreOptions {
  redis: RedisConnection;
  /** Distinct per limiter so their counters never mix. */
  prefix: string;
  whenRedisDown: WhenRedisDown;
}

/**
 * Sends rate-limit-redis's raw commands through the connection's circuit breaker. On a cluster,
 * `SCRIPT LOAD` goes to every master, because the script must exist wherever a counter's slot lives.
 */
function sendThrough(redis: RedisConnection) {
  return ({ command }: SendCommandClusterDetails): Promise<RedisReply> =>
    redis.run(async (client) => {
      const [name = '', ...args] = command;
      if (name.toUpperCase() === 'SCRIPT' && client instanceof Cluster) {
        const replies = await Promise.all(client.nodes('master').map((node) => node.call(name, ...args)));
        return replies[0] as RedisReply;
      }
      return (await client.call(name, ...args)) as RedisReply;
    });
}

/**
 * express-rate-limit store whose counts live in Redis (shared by every instance) through
 * rate-limit-redis, failing fast while Redis is down and then either failing open or counting
 * locally, as chosen per limiter.
 */
export class SharedRateLimitStore implements Store {
  readonly prefix: string;
  /** Counts are shared between instances, so express-rate-limit must not treat them as local. */
  readonly localKeys = false;
  private readonly shared: RedisStore;
  private readonly local: MemoryStore | null;
  private readonly redis: RedisConnection;
  private scriptsLoaded = false;
  private scriptLoad: Promise<void> | null = null;

  constructor(options: SharedRateLimitStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.shared = new RedisStore({ prefix: options.prefix, sendCommandCluster: sendThrough(options.redis) });
    this.local = options.whenRedisDown === 'count-locally' ? new MemoryStore() : null;
  }

  init(options: Options): void {
    // RedisStore.init would cache a rejected script load forever if Redis is not up yet; scripts load lazily instead.
    this.shared.windowMs = options.windowMs;
    this.local?.init(options);
    if (this.redis.status() === 'up') void this.ensureScripts().catch(() => undefined);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    return this.withRedis(
      () => this.shared.increment(key),
      (local) => local.increment(key),
    );
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.withRedis(
      () => this.shared.get(key),
      (local) => local.get(key),
    );
  }

  async decrement(key: string): Promise<void> {
    await this.withRedis(
      () => this.shared.decrement(key),
      (local) => local.decrement(key),
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.local?.resetKey(key);
    await this.withRedis(
      () => this.shared.resetKey(key),
      async () => undefined,
    );
  }

  private async withRedis<T>(shared: () => Promise<T>, local: (store: MemoryStore) => Promise<T>): Promise<T> {
    if (this.redis.status() === 'up') {
      try {
        await this.ensureScripts();
        return await shared();
      } catch (error) {
        // A failure may have left rate-limit-redis holding a rejected script SHA: load again next time.
        this.scriptsLoaded = false;
        if (this.local === null) throw error;
      }
    } else if (this.local === null) {
      throw new RedisUnavailableError('rate-limit counters unavailable: Redis is down');
    }
    return local(this.local);
  }

  private ensureScripts(): Promise<void> {
    if (this.scriptsLoaded) return Promise.resolve();
    this.scriptLoad ??= (async () => {
      const increment = this.shared.loadIncrementScript();
      const get = this.shared.loadGetScript();
      this.shared.incrementScriptSha = increment;
      this.shared.getScriptSha = get;
      await Promise.all([increment, get]);
      this.scriptsLoaded = true;
    })().finally(() => {
      this.scriptLoad = null;
    });
    return this.scriptLoad;
  }
}
