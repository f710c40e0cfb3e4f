import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/cache/redis-connection.js';
import { freePort, type RedisServer, redisServerAvailable, startRedisServer } from '../helpers/redis-server.js';
import { captureLogger, waitFor } from './fixtures.js';

const hasRedis = redisServerAvailable('redis-connection tests');

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error?: unknown }> {
  const started = performance.now();
  try {
    await promise;
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe.skipIf(!hasRedis)('connectRedis against a real redis-server', () => {
  let server: RedisServer;
  const open: RedisConnection[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((connection) => connection.close()));
  });

  function connect(url = server.url, options = {}) {
    const capture = captureLogger();
    const connection = connectRedis({ url, port: 6379, clusterNodes: [] }, capture.logger, options);
    open.push(connection);
    return { connection, records: capture.records };
  }

  it('when Redis answers, then the status is up and commands run', async () => {
    const { connection, records } = connect();
    await waitFor(() => connection.status() === 'up');
    await expect(connection.run((client) => client.ping())).resolves.toBe('PONG');
    expect(records.map((record) => record.message)).toEqual(['Redis connected']);
  });

  it('when Redis answers with error replies, then the circuit stays closed', async () => {
    const { connection } = connect(server.url, { failureThreshold: 2 });
    await waitFor(() => connection.status() === 'up');
    await connection.run((client) => client.set('a-string', 'x'));
    for (let i = 0; i < 5; i += 1) {
      await expect(connection.run((client) => client.incr('a-string'))).rejects.toThrow(/not an integer/);
    }
    expect(connection.status()).toBe('up');
  });

  it('when nothing listens, then commands fail at once and the outage is logged once', async () => {
    const { connection, records } = connect(`redis://127.0.0.1:${await freePort()}`);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(connection.status()).toBe('down');
    const attempt = await timed(connection.run((client) => client.ping()));
    expect(attempt.error).toBeInstanceOf(Error);
    expect(attempt.ms).toBeLessThan(20);
    expect(records.filter((record) => record.level === 'warn')).toHaveLength(1);
  });

  it('when redis-server is killed and restarted, then it goes down and back up, logging each change once', async () => {
    const { connection, records } = connect();
    await waitFor(() => connection.status() === 'up');
    const changes: string[] = [];
    connection.onStatusChange((status) => changes.push(status));

    await server.kill();
    await waitFor(() => connection.status() === 'down');
    for (let i = 0; i < 20; i += 1) {
      const attempt = await timed(connection.run((client) => client.get('k')));
      expect(attempt.error).toBeDefined();
      expect(attempt.ms).toBeLessThan(20);
    }
    await server.restart();
    await waitFor(() => connection.status() === 'up', 8000);
    await expect(connection.run((client) => client.set('k', 'v'))).resolves.toBe('OK');

    expect(changes).toEqual(['down', 'up']);
    const messages = records.map((record) => `${record.level} ${record.message}`);
    expect(messages.filter((line) => line.startsWith('warn'))).toHaveLength(1);
    expect(messages.filter((line) => line.includes('available again'))).toHaveLength(1);
  });

  it('when Redis hangs, then commands time out, the breaker opens and later calls fail at once until it recovers', async () => {
    const { connection } = connect(server.url, { commandTimeoutMs: 100, failureThreshold: 2, resetTimeoutMs: 300 });
    await waitFor(() => connection.status() === 'up');
    const info = await connection.run((client) => client.info('server'));
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 2; i += 1) {
        const attempt = await timed(connection.run((client) => client.get('k')));
        expect(attempt.error).toBeDefined();
        expect(attempt.ms).toBeLessThan(400);
      }
      expect(connection.status()).toBe('down');
      const fast = await timed(connection.run((client) => client.get('k')));
      expect(fast.error).toBeDefined();
      expect(fast.ms).toBeLessThan(20);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // No request is needed: the background probe closes the circuit once Redis answers again.
    await waitFor(() => connection.status() === 'up', 5000);
  });
});
