import { createAdapter } from '@socket.io/redis-adapter';
import type { RedisClient } from '../cache/redis-connection.js';
import type { Logger } from '../observability/logger.js';

/** The channel prefix of Primo's Socket.IO traffic on Redis (the emitter of a worker must use the same). */
export const LIVE_REDIS_KEY = 'primo:live';

const QUIT_PATIENCE_MS = 1000;

type ClusterClient = Extract<RedisClient, { nodes: unknown }>;
const isCluster = (client: RedisClient): client is ClusterClient => client.isCluster;

export interface LiveAdapter {
  adapter: ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/**
 * The Socket.IO Redis adapter on two connections of its own (a subscriber cannot send other
 * commands): what one instance emits to a room beyond itself (`io.to(room)`, and a worker's
 * emitter) reaches the sockets on every instance. While Redis is down those emits are dropped (a
 * client catches up from the store when it reconnects), and the adapter's own unawaited publishes
 * must never become unhandled rejections, so the publishing connection answers failures with 0.
 */
export function redisLiveAdapter(client: RedisClient, logger: Logger): LiveAdapter {
  // The subscriber queues its subscriptions until it connects (and ioredis renews them after every
  // reconnect); the publisher keeps the shared client's fail-fast settings.
  const pub: RedisClient = isCluster(client) ? client.duplicate() : client.duplicate();
  const sub: RedisClient = isCluster(client)
    ? client.duplicate(undefined, { enableOfflineQueue: true })
    : client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  let failing = false;
  const report = (error: Error) => {
    if (failing) return;
    failing = true;
    logger.warn('live: the Socket.IO Redis adapter lost Redis; cross-instance emits wait for it', {
      error: error.message,
    });
  };
  pub.on('error', report);
  sub.on('error', report);
  sub.on('ready', () => {
    if (failing) logger.info('live: the Socket.IO Redis adapter is connected again');
    failing = false;
  });
  const publish = pub.publish.bind(pub);
  // Rebound so a publish that fails while Redis is away is dropped instead of rejecting unobserved.
  pub.publish = ((channel: string | Buffer, message: string | Buffer) =>
    publish(channel, message).catch((error: unknown) => {
      report(error instanceof Error ? error : new Error(String(error)));
      return 0;
    })) as typeof pub.publish;
  return {
    adapter: createAdapter(pub, sub, { key: LIVE_REDIS_KEY }),
    async close() {
      // QUIT lets the last publishes go out; with Redis away it may never answer, so it gets a second.
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise((resolve) => (timer = setTimeout(resolve, QUIT_PATIENCE_MS)));
      await Promise.race([Promise.allSettled([pub.quit(), sub.quit()]), patience]);
      clearTimeout(timer);
      pub.disconnect();
      sub.disconnect();
    },
  };
}
