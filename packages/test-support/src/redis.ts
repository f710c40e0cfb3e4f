import net from 'node:net';
import { findBinary } from './binaries.js';
import { tempDir } from './paths.js';
import { freePort } from './ports.js';
import { spawnTracked, untilReady, type TrackedProcess } from './processes.js';

export interface RedisHandle {
  url: string;
  port: number;
  /** The current server process; a new one after `restart()`. */
  readonly pid: number;
  readonly process: TrackedProcess;
  /** Graceful shutdown; waits for the process to exit and removes its working folder. */
  stop(): Promise<void>;
  /** SIGKILL, an abrupt outage rather than a shutdown; waits for the process to exit. */
  kill(): Promise<void>;
  /** Kills the server if it still runs and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
}

export interface StartRedisOptions {
  port?: number;
  binary?: string;
  extraArgs?: readonly string[];
}

/** Sends one inline PING over a raw socket; resolves true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function untilPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port))) {
    if (Date.now() > deadline)
      throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts a throw-away redis-server on a loopback port (no persistence) and resolves once it answers
 * PING. Without a fixed port it retries on a new one, since another process may take a probed port first.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  const binary = options.binary ?? findBinary('redis-server') ?? 'redis-server';
  const work = tempDir('redis');
  let port = options.port ?? 0;
  let current: TrackedProcess | undefined;

  async function launch(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const redis = spawnTracked(`redis-server:${port}`, binary, [
      ...args,
      '--dir',
      work.dir,
      ...(options.extraArgs ?? []),
    ]);
    current = redis;
    await untilReady(redis, untilPong(port, 10_000));
  }

  for (let attempt = 1; ; attempt += 1) {
    if (options.port === undefined) port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3 || options.port !== undefined) {
        work.remove();
        throw error;
      }
    }
  }

  const running = (): TrackedProcess => {
    if (current === undefined) throw new Error('redis-server was never started');
    return current;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return running().pid;
    },
    get process() {
      return running();
    },
    stop: async () => {
      await running().stop('SIGTERM', 3_000);
      work.remove();
    },
    kill: async () => {
      await running().stop('SIGKILL', 0);
    },
    restart: async () => {
      await running().stop('SIGKILL', 0);
      await launch();
    },
  };
}
