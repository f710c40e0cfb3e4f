import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  /** Shuts the server down gracefully and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILLs the server (an abrupt outage) and waits for the process to exit. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port and waits until it answers PING. */
  restart(): Promise<void>;
}

/** `REDIS_SERVER_BIN` points at a specific binary; otherwise redis-server is looked up on PATH. */
function findRedisServer(): string | null {
  const configured = process.env.REDIS_SERVER_BIN;
  if (configured !== undefined && configured !== '') return existsSync(configured) ? configured : null;
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const binary = findRedisServer();

/**
 * True when redis-server tests should run. Without the binary they are skipped with one line
 * saying why, except under CI=true where they run and fail in `startRedisServer`.
 */
export function redisServerAvailable(suite: string): boolean {
  if (binary !== null || process.env.CI === 'true') return true;
  console.warn(
    `skipping ${suite}: redis-server is not installed (apt-get install redis-server); under CI=true this fails`,
  );
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns `redis-server` on a free loopback port (no persistence) and waits until it answers PING. */
export async function startRedisServer(options: { extraArgs?: string[] } = {}): Promise<RedisServer> {
  if (binary === null) {
    throw new Error('redis-server is not installed (apt-get install redis-server), and CI=true requires these tests');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'primo-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;

  async function launch(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const spawned = spawn(binary as string, [...args, ...(options.extraArgs ?? [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    spawned.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    running.add(spawned);
    spawned.once('exit', () => running.delete(spawned));
    child = spawned;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (spawned.exitCode !== null) throw new Error(`redis-server exited on port ${port}: ${stderr.trim()}`);
      if (await ping(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    spawned.kill('SIGKILL');
    throw new Error(`redis-server did not answer PING on port ${port} within 5 s`);
  }

  // Another process may grab the free port between probing and binding: try a few.
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    if (current === null) return;
    child = null;
    current.kill(signal);
    await waitForExit(current);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await terminate('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => terminate('SIGKILL'),
    async restart() {
      await terminate('SIGKILL');
      await launch();
    },
  };
}
