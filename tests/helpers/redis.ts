import { freePort, waitForPort } from './ports.js';
import { spawnTracked, untilReady, type TrackedProcess } from './processes.js';

export interface RedisHandle {
  url: string;
  port: number;
  pid: number;
  process: TrackedProcess;
  stop(): Promise<void>;
}

/** Starts a throw-away redis-server on a free loopback port (no persistence). */
export async function startRedis(options: { port?: number; binary?: string } = {}): Promise<RedisHandle> {
  const port = options.port ?? (await freePort());
  const redis = spawnTracked('redis-server', options.binary ?? 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await untilReady(redis, waitForPort(port, '127.0.0.1', 10_000));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: redis.pid,
    process: redis,
    stop: async () => {
      await redis.stop('SIGTERM', 3_000);
    },
  };
}
