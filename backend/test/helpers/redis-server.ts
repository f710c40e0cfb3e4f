import { freePort, requireBinary, startRedis, type RedisHandle } from '@primo/test-support';

export { freePort };
export type RedisServer = RedisHandle;

/**
 * True when redis-server tests can run. Without the binary they are skipped with one line saying
 * why, except under CI=true where this throws and the test file fails.
 */
export function redisServerAvailable(suite: string): boolean {
  return requireBinary('redis-server', suite) !== undefined;
}

/** Spawns `redis-server` on a free loopback port (no persistence) and waits until it answers PING. */
export function startRedisServer(options: { extraArgs?: string[] } = {}): Promise<RedisServer> {
  return startRedis(options);
}
