import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  requireBinary,
  startBackend,
  startNginx,
  startRedis,
  tempDir,
  type BackendHandle,
  type NginxHandle,
  type RedisHandle,
} from '@primo/test-support';
import { HttpClient, jsonOf, sourceAddress } from '../../../bench/lib/http-client.js';

/** True when nginx and redis-server are installed; under CI=true a missing one fails the file instead. */
export function stackAvailable(why: string): boolean {
  const nginx = requireBinary('nginx', why);
  const redis = requireBinary('redis-server', why);
  return nginx !== undefined && redis !== undefined;
}

export interface DrillStack {
  /** nginx, the only address users talk to. */
  url: string;
  nginx: NginxHandle;
  backends: BackendHandle[];
  redis: RedisHandle;
  /** The SQLite file every instance shares. */
  dbFile: string;
  /** Kills redis-server with SIGKILL (an outage, not a shutdown). */
  killRedis(): Promise<void>;
  /** Starts a fresh, empty redis-server on the port the instances are configured for. */
  restartRedis(): Promise<void>;
  stop(): Promise<void>;
}

export interface DrillStackOptions {
  instances?: number;
  env?: Record<string, string>;
}

/**
 * The deployment on loopback: redis-server, three `backend/dist/server.js` instances sharing one data
 * folder and Redis, and nginx rendered from the shipped template in front of them.
 */
export async function startDrillStack(options: DrillStackOptions = {}): Promise<DrillStack> {
  const data = tempDir('drill-data');
  const spa = tempDir('drill-spa');
  writeFileSync(path.join(spa.dir, 'index.html'), '<!doctype html><title>Primo</title>');
  const redis = await startRedis();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: data.dir,
    REDIS_URL: redis.url,
    TRUST_PROXY: '1',
    CACHE_TTL: '300',
    SHUTDOWN_DELAY: '2s',
    SHUTDOWN_TIMEOUT: '10s',
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000000',
    STATIC_DIR: path.join(data.dir, 'no-spa'),
    ...options.env,
  };
  const backends: BackendHandle[] = [];
  let nginx: NginxHandle | undefined;
  const stop = async () => {
    await nginx?.stop();
    await Promise.all(backends.map((backend) => backend.stop()));
    await redis.stop();
    data.remove();
    spa.remove();
  };
  try {
    for (let i = 0; i < (options.instances ?? 3); i += 1) backends.push(await startBackend({ env }));
    nginx = await startNginx({ upstreams: backends.map((b) => `127.0.0.1:${b.port}`), staticRoot: spa.dir });
  } catch (error) {
    await stop();
    throw error;
  }
  const edge = nginx;
  return {
    url: edge.url,
    nginx: edge,
    backends,
    redis,
    dbFile: path.join(data.dir, 'primo.db'),
    killRedis: () => redis.kill(),
    restartRedis: () => redis.restart(),
    stop,
  };
}

export interface DrillUser {
  index: number;
  email: string;
  token: string;
  auth: Record<string, string>;
  client: HttpClient;
}

/** Registers `count` users through nginx, each from its own loopback address with its own keep-alive connection. */
export async function registerUsers(baseUrl: string, count: number, label: string): Promise<DrillUser[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const client = new HttpClient(baseUrl, sourceAddress(index));
      const email = `${label}-${index}-${Date.now()}@drill.test`;
      const reply = await client.request('POST', '/api/v1/auth/register', {
        body: { email, password: 'drill-password-123', name: `Drill ${index}` },
      });
      const token = jsonOf<{ accessToken?: string }>(reply)?.accessToken;
      if (reply.status !== 201 || token === undefined) {
        throw new Error(`register ${email} answered ${reply.status}: ${reply.body || reply.error}`);
      }
      return { index, email, token, auth: { authorization: `Bearer ${token}` }, client };
    }),
  );
}
